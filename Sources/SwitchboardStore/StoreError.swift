import SwitchboardCore

/// Why a store operation was refused for a reason the caller can act on.
///
/// Errors outside this type (I/O, corruption) are the backend's own and reach users as `500`.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible, HTTPStatusProviding {
    private enum Code: Hashable, Sendable {
        case notFound(String)
        case conflict(String)
        case stale(String)
    }

    private let code: Code

    /// The named thing does not exist (404).
    public static func notFound(_ what: String) -> StoreError { StoreError(code: .notFound(what)) }
    /// The request contradicts the current state, e.g. replying to a closed conversation (409).
    public static func conflict(_ reason: String) -> StoreError { StoreError(code: .conflict(reason)) }
    /// The thing changed since the caller read it (optimistic concurrency); read it again and
    /// retry (409 if it reaches a user).
    public static func stale(_ reason: String) -> StoreError { StoreError(code: .stale(reason)) }

    /// Whether this is a ``stale(_:)`` refusal (worth retrying on fresh data).
    public var isStale: Bool {
        if case .stale = code { return true }
        return false
    }

    public var httpStatus: Int {
        switch code {
        case .notFound: 404
        case .conflict, .stale: 409
        }
    }

    public var description: String {
        switch code {
        case .notFound(let what): "\(what) not found"
        case .conflict(let reason), .stale(let reason): reason
        }
    }
}
