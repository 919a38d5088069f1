/// Why an IMAP session failed, worded for the mail admin reading the log.
///
/// Every case ends the session; the folder sync reconnects with backoff, except after
/// ``isPermanent`` errors (bad credentials, a missing folder), which it still retries but logs as
/// needing a configuration change.
public struct IMAPError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// TCP connect failed or timed out.
        case connect
        /// TLS handshake or certificate verification failed.
        case tls
        /// The server sent something we could not read, or broke the protocol.
        case protocolViolation
        /// The connection closed (the server said BYE or dropped it).
        case closed
        /// The server did not answer in time.
        case timeout
        /// Login was refused.
        case authentication
        /// A command was refused with NO or BAD.
        case commandFailed
        /// The server lacks something we need (STARTTLS, an auth mechanism).
        case unsupported
        /// The session was stopped from our side (shutdown).
        case cancelled
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Errors that another attempt with the same configuration will not fix.
    public var isPermanent: Bool { kind == .authentication || kind == .unsupported }

    public var description: String { "IMAP \(kind.rawValue): \(message)" }
}
