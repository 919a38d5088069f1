/// One response from an IMAP server (RFC 9051 / RFC 3501), as the client needs it.
public enum IMAPResponse: Sendable, Hashable {
    /// `A1 OK [CODE] text` — the end of command `tag`.
    case tagged(tag: String, status: IMAPStatus, code: IMAPResponseCode?, text: String)
    /// `* …` — data the server sends at any time.
    case untagged(IMAPUntagged)
    /// `+ text` — the server waits for more from us (literals, IDLE, AUTHENTICATE).
    case continuation(String)
}

public enum IMAPStatus: String, Sendable, Hashable {
    case ok = "OK"
    case no = "NO"
    case bad = "BAD"
    case preauth = "PREAUTH"
    case bye = "BYE"
}

/// The bracketed code of a status response.
public enum IMAPResponseCode: Sendable, Hashable {
    case uidValidity(UInt32)
    case uidNext(UInt32)
    case capability([String])
    case other(String)
}

public enum IMAPUntagged: Sendable, Hashable {
    case status(IMAPStatus, code: IMAPResponseCode?, text: String)
    case capability([String])
    case exists(Int)
    case recent(Int)
    case expunge(Int)
    case flags([String])
    case search([UInt32])
    case fetch(sequence: Int, IMAPFetch)
    /// Anything the client does not use, kept as text.
    case other(String)
}

/// The attributes of one `FETCH` response the client asks for.
public struct IMAPFetch: Sendable, Hashable {
    public var uid: UInt32?
    public var flags: [String]?
    public var internalDate: String?
    public var size: Int?
    /// `BODY[]` (or `RFC822`): the whole message, bytes as sent.
    public var body: [UInt8]?
    /// `BODY[HEADER]` (or `RFC822.HEADER`): the header block only.
    public var header: [UInt8]?

    public init(uid: UInt32? = nil, flags: [String]? = nil, internalDate: String? = nil, size: Int? = nil, body: [UInt8]? = nil) {
        self.uid = uid
        self.flags = flags
        self.internalDate = internalDate
        self.size = size
        self.body = body
    }

    /// Takes the attributes `other` has (servers may split one message's data over responses).
    public mutating func merge(_ other: IMAPFetch) {
        uid = other.uid ?? uid
        flags = other.flags ?? flags
        internalDate = other.internalDate ?? internalDate
        size = other.size ?? size
        body = other.body ?? body
        header = other.header ?? header
    }
}

/// Why a response could not be read. The connection cannot continue after one of these.
public struct IMAPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "IMAP response: \(message)" }
}
