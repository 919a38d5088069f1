import Foundation
import SwitchboardCore

/// Builders for model values in tests.
public enum Fixtures {
    /// A web-chat-like contact from `visitor` on `channel`.
    public static func contact(
        channel: String = "web", externalID: String = UUID().uuidString, visitor: String = "visitor-1",
        text: String? = "hello", name: String? = nil, attachments: [InboundAttachment] = [],
        attributes: [String: String] = [:], routing: RoutingAttributes = RoutingAttributes(), occurredAt: Date = Date()
    ) -> InboundContact {
        let channelID = ChannelID(rawValue: channel)
        return InboundContact(
            channelID: channelID, channelKind: .webchat, externalID: externalID, occurredAt: occurredAt,
            sender: .webchatVisitor(channel: channelID, visitorID: visitor), senderName: name, text: text,
            attachments: attachments, routing: routing, customerAttributes: attributes,
            raw: RawPayload(contentType: "application/json", bytes: Data("{\"id\":\"\(externalID)\"}".utf8)))
    }

    /// A contact prepared for a store (as the Ingestor would), attachments already addressed.
    public static func prepared(_ contact: InboundContact) -> PreparedContact {
        PreparedContact(
            contact: contact,
            attachments: contact.attachments.map {
                Attachment(sha256: Attachment.digest(of: $0.data), size: $0.data.count, name: $0.name, contentType: $0.contentType)
            }, messageID: .generate())
    }

    /// A rating of `conversation` by `visitor` on `channel`.
    public static func rating(
        channel: String = "web", externalID: String = UUID().uuidString, visitor: String = "visitor-1",
        conversation: ConversationID, score: Int = 5
    ) -> RatingSubmission {
        let channelID = ChannelID(rawValue: channel)
        return RatingSubmission(
            channelID: channelID, externalID: externalID, sender: .webchatVisitor(channel: channelID, visitorID: visitor),
            conversationID: conversation, score: score, comment: "thanks", occurredAt: Date(),
            raw: RawPayload(contentType: "application/json", bytes: Data("{}".utf8)))
    }

    /// Writes `contents` to a new file in the temporary directory and returns its path.
    public static func temporaryFile(_ contents: String, suffix: String = ".yaml") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sb-\(UUID().uuidString)\(suffix)").path
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A small plain-text mail (CRLF line ends), as the email tests deliver it by IMAP or SMTP.
    public static func mail(
        id: String?, subject: String = "Order 1042", from: String = "customer@example.net", body: String = "Hello"
    ) -> String {
        var lines = ["From: Customer <\(from)>", "To: support@example.com", "Subject: \(subject)", "Date: Mon, 23 Nov 2026 10:00:00 +0000"]
        if let id { lines.append("Message-ID: \(id)") }
        lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", body, ""]
        return lines.joined(separator: "\r\n")
    }

    /// Text that looks like SQL and HTML and must be stored byte for byte.
    public static let hostileText = "'); DROP TABLE messages;-- <script>alert(1)</script> \"quoted\" \\ 你好 🎉 &amp;"
}
