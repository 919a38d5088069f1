/// A conformance check that did not hold, with what was expected and what happened.
///
/// The kits throw this instead of using a test framework's assertions, so they can run under
/// Swift Testing, XCTest or a plain executable alike.
public struct ConformanceFailure: Error, CustomStringConvertible, Sendable {
    public var check: String
    public var message: String

    public init(check: String, message: String) {
        self.check = check
        self.message = message
    }

    public var description: String { "[\(check)] \(message)" }
}

/// Throws a ``ConformanceFailure`` unless `condition` holds.
func expect(
    _ condition: @autoclosure () throws -> Bool, _ check: String, _ message: @autoclosure () -> String
) throws {
    guard try condition() else { throw ConformanceFailure(check: check, message: message()) }
}

/// ``expect(_:_:_:)`` for a condition that awaits a store.
func expectAwaiting(
    _ condition: @autoclosure () async throws -> Bool, _ check: String, _ message: @autoclosure () -> String
) async throws {
    guard try await condition() else { throw ConformanceFailure(check: check, message: message()) }
}
