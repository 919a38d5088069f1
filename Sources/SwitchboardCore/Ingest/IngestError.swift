/// Why the Ingestor did not accept an item.
///
/// Each case maps to a status a channel can answer with: the caller's fault (4xx, do not retry)
/// or ours (5xx, retry later — nothing was acknowledged).
public struct IngestError: Error, Hashable, Sendable, CustomStringConvertible, HTTPStatusProviding {
    private enum Code: Hashable, Sendable {
        case invalid(ValidationError)
        case conversationNotFound
        case shuttingDown
        case overloaded
        case storeUnavailable(String)
    }

    private let code: Code

    private init(_ code: Code) { self.code = code }

    /// The contact broke a rule of the model (400).
    public static func invalid(_ error: ValidationError) -> IngestError { IngestError(.invalid(error)) }
    /// A rating named a conversation that does not exist or belongs to someone else (404).
    public static let conversationNotFound = IngestError(.conversationNotFound)
    /// The gateway is draining for shutdown and accepts nothing new (503, retry).
    public static let shuttingDown = IngestError(.shuttingDown)
    /// Too many contacts are waiting for a commit (503, retry later).
    public static let overloaded = IngestError(.overloaded)
    /// The store failed; nothing was committed (503, retry).
    public static func storeUnavailable(_ reason: String) -> IngestError { IngestError(.storeUnavailable(reason)) }

    /// The validation problem, when this is an ``invalid(_:)`` error.
    public var validationError: ValidationError? {
        if case .invalid(let error) = code { return error }
        return nil
    }

    /// True when the sender should try again later (nothing was stored).
    public var isRetryable: Bool {
        switch code {
        case .shuttingDown, .overloaded, .storeUnavailable: true
        case .invalid, .conversationNotFound: false
        }
    }

    public var httpStatus: Int {
        switch code {
        case .invalid: 400
        case .conversationNotFound: 404
        case .shuttingDown, .overloaded, .storeUnavailable: 503
        }
    }

    public var description: String {
        switch code {
        case .invalid(let error): "invalid contact: \(error)"
        case .conversationNotFound: "conversation not found for this sender"
        case .shuttingDown: "gateway is shutting down; retry"
        case .overloaded: "ingest queue is full; retry"
        case .storeUnavailable(let reason): "store unavailable: \(reason); retry"
        }
    }

    /// A short label for metrics and logs.
    public var metricReason: String {
        switch code {
        case .invalid: "invalid"
        case .conversationNotFound: "not_found"
        case .shuttingDown: "shutting_down"
        case .overloaded: "overloaded"
        case .storeUnavailable: "store_unavailable"
        }
    }
}
