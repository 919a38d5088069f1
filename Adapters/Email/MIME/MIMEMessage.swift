/// A parsed message with the views a channel needs: decoded subject and addresses, body text
/// and HTML, attachments, threading headers and the flags that keep mail loops and bulk mail out
/// of conversations.
public struct MIMEMessage: Sendable, Hashable {
    public var root: MIMEPart
    public var issues: [MIMEIssue]
    /// A multipart ended without its closing boundary (the message was cut off).
    public var truncated: Bool

    public var headers: MIMEHeaders { root.headers }

    /// Unfolded, encoded words decoded, trimmed; `nil` without a Subject header.
    public var subject: String? {
        headers.text("Subject").map { $0.trimmingSpace() }
    }

    public var from: MailAddress? { headers.string("From").flatMap { MailAddress.parseList($0).first } }
    public var to: [MailAddress] { headers.all("To").flatMap(MailAddress.parseList) }
    public var cc: [MailAddress] { headers.all("Cc").flatMap(MailAddress.parseList) }
    public var replyTo: [MailAddress] { headers.all("Reply-To").flatMap(MailAddress.parseList) }

    /// `Message-ID` as written, trimmed (with its angle brackets).
    public var messageID: String? { headers.string("Message-ID").map(Self.trimmed).flatMap { $0.isEmpty ? nil : $0 } }
    public var inReplyTo: String? { headers.string("In-Reply-To").map(Self.trimmed).flatMap { $0.isEmpty ? nil : $0 } }
    /// The message ids in `References`, oldest first.
    public var references: [String] { Self.messageIDs(in: headers.string("References") ?? "") }

    /// The decoded plain-text body parts joined; when there are none, the text of the HTML parts.
    /// Attachments and attached messages do not count.
    public var text: String? {
        let body = bodyParts
        let plain = body.filter { $0.mediaType == "text/plain" }.map { $0.text().text }
        if !plain.isEmpty { return plain.joined(separator: "\n") }
        let html = body.filter { $0.mediaType == "text/html" }.map { HTMLText.text(fromHTML: $0.text().text) }
        return html.isEmpty ? nil : html.joined(separator: "\n")
    }

    /// The decoded HTML body parts joined, if any.
    public var html: String? {
        let html = bodyParts.filter { $0.mediaType == "text/html" }.map { $0.text().text }
        return html.isEmpty ? nil : html.joined(separator: "\n")
    }

    /// Leaves that are files (named, declared attachments, inline images, attached messages,
    /// other non-text media), in document order.
    public var attachments: [MIMEPart] { root.leaves.filter(\.isAttachment) }

    var bodyParts: [MIMEPart] { root.leaves.filter { !$0.isAttachment } }

    /// `Auto-Submitted` present and not `no` (RFC 3834): auto-replies, notifications.
    public var isAutoSubmitted: Bool {
        guard let value = headers.string("Auto-Submitted")?.trimmingSpace().lowercased() else {
            return false
        }
        return !value.isEmpty && !value.hasPrefix("no")
    }

    /// A delivery status notification (`multipart/report; report-type=delivery-status`).
    public var isBounce: Bool {
        root.mediaType == "multipart/report" && root.contentType["report-type"]?.lowercased() == "delivery-status"
    }

    /// Mailing-list or bulk mail: `List-Id`, or `Precedence: list|bulk|junk`.
    public var isMailingList: Bool {
        headers.contains("List-Id") || precedence == "list"
    }

    public var isBulk: Bool { ["bulk", "junk", "list"].contains(precedence ?? "") }

    /// For a bounce: the Message-IDs of the messages it reports on, read from its returned
    /// message or returned headers part (RFC 3464 §2).
    public var reportedMessageIDs: [String] {
        guard isBounce else { return [] }
        var ids: [String] = []
        for part in root.leaves
        where ["message/rfc822", "text/rfc822-headers", "message/rfc822-headers", "message/global"].contains(part.mediaType) {
            var limits = MIMELimits()
            limits.maxDepth = 2
            let returned = MIMEParser(limits: limits).parse(part.body)
            if let id = returned.messageID { ids += Self.messageIDs(in: id) }
        }
        return ids
    }

    var precedence: String? { headers.string("Precedence")?.trimmingSpace().lowercased() }

    static func trimmed(_ text: String) -> String { text.trimmingSpace() }

    /// The `<…>` message ids in a header value, in order.
    public static func messageIDs(in text: String) -> [String] {
        var ids: [String] = []
        var current: String?
        for character in text {
            if character == "<" {
                current = "<"
            } else if character == ">", var id = current {
                id.append(">")
                ids.append(id)
                current = nil
            } else if current != nil, !character.isWhitespace {
                current?.append(character)
            }
        }
        return ids
    }
}
