import Synchronization

/// Remembers how far each delivery got when a channel sends one reply as several API calls (a
/// WeChat text, then a news card, then an image), so a retry after a transient failure resumes
/// at the first unsent piece instead of repeating what the customer already has.
///
/// Kept in memory: after a restart a half-sent reply starts over (the customer may see its first
/// pieces twice); a permanent failure or the last piece sent forgets the delivery.
public final class MultiPartSend: Sendable {
    private let sent = Mutex<[Int64: Int]>([:])

    public init() {}

    /// Sends `steps` of `delivery` in order with `send`, skipping those an earlier attempt sent.
    public func run<Step: Sendable>(
        _ steps: [Step], of delivery: OutboundDelivery, send: (Step) async throws(DeliveryError) -> Void
    ) async throws(DeliveryError) {
        let id = delivery.deliveryID
        let done = sent.withLock { $0[id] ?? 0 }
        do throws(DeliveryError) {
            for (index, step) in steps.enumerated() where index >= done {
                try await send(step)
                sent.withLock { $0[id] = index + 1 }
            }
        } catch {
            if !error.isRetryable { _ = sent.withLock { $0.removeValue(forKey: id) } }
            throw error
        }
        _ = sent.withLock { $0.removeValue(forKey: id) }
    }

    /// How many deliveries are half sent (for tests and diagnostics).
    public var pending: Int { sent.withLock { $0.count } }
}
