/// One node of a parsed message: a multipart container with children, or a leaf with its
/// decoded body bytes.
public struct MIMEPart: Sendable, Hashable {
    /// Position in the tree: `0` is the message, `1`, `2` its parts, `2.1` the first part of `2`.
    public var path: String
    public var headers: MIMEHeaders
    /// `Content-Type`, lower-cased value (`text/plain` when absent, or `message/rfc822` inside a
    /// `multipart/digest`).
    public var contentType: HeaderParameters
    public var disposition: HeaderParameters?
    public var transferEncoding: String
    public var children: [MIMEPart]
    /// Decoded body of a leaf (transfer encoding undone; charset not applied). For an attached
    /// `message/rfc822`, the embedded message's bytes.
    public var body: [UInt8]

    public var isMultipart: Bool { contentType.value.hasPrefix("multipart/") }
    public var mediaType: String { contentType.value }
    public var charset: String? { contentType["charset"] }

    /// The file name a sender gave: `Content-Disposition` `filename`, else `Content-Type` `name`.
    public var filename: String? {
        let name = disposition?["filename"] ?? contentType["name"]
        guard let name, !name.trimmingSpace().isEmpty else { return nil }
        return name
    }

    /// `Content-ID` without its angle brackets (what `cid:` URLs in HTML refer to).
    public var contentID: String? {
        guard var value = headers.string("Content-ID")?.trimmingSpace(), !value.isEmpty else {
            return nil
        }
        if value.hasPrefix("<") { value.removeFirst() }
        if value.hasSuffix(">") { value.removeLast() }
        return value
    }

    /// A leaf that is a file rather than body text: declared as an attachment, named, an
    /// embedded message, or any non-text media.
    public var isAttachment: Bool {
        guard !isMultipart else { return false }
        if disposition?.value == "attachment" || filename != nil { return true }
        return !(mediaType == "text/plain" || mediaType == "text/html")
    }

    /// The body as text in its declared charset.
    public func text() -> (text: String, problem: String?) { Charset.decode(body, label: charset) }

    /// Leaves in document order, not descending into attached messages.
    public var leaves: [MIMEPart] { isMultipart ? children.flatMap(\.leaves) : [self] }
}
