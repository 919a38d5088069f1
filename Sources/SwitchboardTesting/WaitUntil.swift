/// Polls `condition` every 50 ms until it holds or `timeout` passes; throws when it never does.
///
/// For effects that happen on a gateway's own schedule (a delivery, a consumer's batch), where a
/// fixed sleep would be either too short on a loaded machine or needlessly long.
public func waitUntil(timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw ConformanceFailure(check: "waitUntil", message: "condition did not hold within \(timeout)")
}
