/// Bounds on what the parser will do for one message, so a hostile or broken message costs a
/// bounded amount of time and memory. Hitting a limit is recorded as a ``MIMEIssue`` and parsing
/// continues with what fits.
public struct MIMELimits: Sendable, Hashable {
    /// Deepest multipart/message nesting followed (default 20).
    public var maxDepth: Int = 20
    /// Most parts (all levels) built (default 1,000).
    public var maxParts: Int = 1_000
    /// Largest header block of one part, in bytes (default 256 KiB).
    public var maxHeaderBytes: Int = 256 * 1024
    /// Most decoded body bytes across all parts (default 64 MiB).
    public var maxDecodedBytes: Int = 64 << 20

    public init() {}
}

/// Something the parser had to work around, recorded instead of failing the message.
public struct MIMEIssue: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case depthLimit = "depth-limit"
        case partLimit = "part-limit"
        case headerLimit = "header-limit"
        case sizeLimit = "size-limit"
        case truncated
        case missingBoundary = "missing-boundary"
        case badBase64 = "bad-base64"
        case badQuotedPrintable = "bad-quoted-printable"
        case unknownCharset = "unknown-charset"
        case badCharsetBytes = "bad-charset-bytes"
        case badEncodedWord = "bad-encoded-word"
    }

    public var kind: Kind
    /// Where: a part path like `1.2` (`0` is the message itself) or a header name.
    public var location: String
    public var detail: String

    public init(_ kind: Kind, at location: String, _ detail: String) {
        self.kind = kind
        self.location = location
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue) at \(location): \(detail)" }
}
