import Foundation
import SwitchboardCore
import SwitchboardMIME

/// Writes an agent reply as the mail the customer's client threads under their own message:
/// From the channel's address, `Subject: Re: …` with the conversation token, our `Message-ID`,
/// `In-Reply-To`/`References` from the thread, `Auto-Submitted: no` (or `auto-replied` for
/// automatic acknowledgements), a UTF-8 text part with an HTML alternative, and attachments.
/// Everything is 7-bit (quoted-printable, base64, encoded words), so any relay carries it.
struct MailComposer: Sendable {
    var fromAddress: String
    var fromName: String?
    var subjectToken: SubjectToken

    /// The mail for `message`, to `recipient`, identified by `messageID` (with angle brackets).
    func compose(
        _ message: OutboundMessage, attachments: [OutboundAttachment], recipient: String, messageID: String, date: Date,
        automatic: Bool = false, boundarySeed: String = UUID().uuidString
    ) -> [UInt8] {
        var head = ""
        head += "From: " + MIMEEncoding.mailbox(name: fromName, address: fromAddress) + "\r\n"
        head += "To: <\(recipient)>\r\n"
        head += "Subject: " + MIMEEncoding.encodedWords(subject(for: message)) + "\r\n"
        head += "Date: \(MIMEEncoding.date(date))\r\n"
        head += "Message-ID: \(messageID)\r\n"
        if let inReplyTo = message.inReplyTo ?? message.references.last { head += "In-Reply-To: \(inReplyTo)\r\n" }
        if !message.references.isEmpty { head += MIMEEncoding.header("References", message.references.joined(separator: " ")) }
        head += "Auto-Submitted: \(automatic ? "auto-replied" : "no")\r\n"
        if automatic { head += "X-Auto-Response-Suppress: All\r\nPrecedence: auto_reply\r\n" }
        head += "X-Loop: \(fromAddress)\r\n"
        head += "MIME-Version: 1.0\r\n"

        let (text, html) = bodies(message)
        let alternative = "sb-alt-" + boundarySeed
        var body = "--\(alternative)\r\n"
        body += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        body += MIMEEncoding.quotedPrintable(text) + "\r\n"
        body += "--\(alternative)\r\n"
        body += "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        body += MIMEEncoding.quotedPrintable(html) + "\r\n"
        body += "--\(alternative)--\r\n"
        guard !attachments.isEmpty else {
            return Array((head + "Content-Type: multipart/alternative; boundary=\"\(alternative)\"\r\n\r\n" + body).utf8)
        }
        let mixed = "sb-mixed-" + boundarySeed
        var mail = head + "Content-Type: multipart/mixed; boundary=\"\(mixed)\"\r\n\r\n"
        mail += "--\(mixed)\r\nContent-Type: multipart/alternative; boundary=\"\(alternative)\"\r\n\r\n" + body
        for attachment in attachments {
            let name = attachment.attachment.name
            mail += "--\(mixed)\r\n"
            mail += "Content-Type: \(Self.safeMediaType(attachment.attachment.contentType)); \(MIMEEncoding.parameter("name", name))\r\n"
            mail += "Content-Disposition: attachment; \(MIMEEncoding.parameter("filename", name))\r\n"
            mail += "Content-Transfer-Encoding: base64\r\n\r\n"
            mail += MIMEEncoding.base64Lines(attachment.data) + "\r\n"
        }
        mail += "--\(mixed)--\r\n"
        return Array(mail.utf8)
    }

    /// `Re: <subject> [#number]`: one `Re:`, the token once.
    func subject(for message: OutboundMessage) -> String {
        var subject = (message.subject ?? "").trimmingCharacters(in: .whitespaces)
        let token = subjectToken.render(String(message.conversationNumber))
        if subjectToken.find(in: subject) != String(message.conversationNumber) {
            subject = subject.isEmpty ? token : "\(subject) \(token)"
        }
        let lowered = subject.lowercased()
        if !(lowered.hasPrefix("re:") || lowered.hasPrefix("aw:") || lowered.hasPrefix("回复")) { subject = "Re: " + subject }
        return subject
    }

    /// The text and HTML bodies: each made from the other when only one was written, with the
    /// reply's link cards after them.
    func bodies(_ message: OutboundMessage) -> (text: String, html: String) {
        var (text, html): (String, String)
        switch (message.text, message.html) {
        case (let written?, let markup?): (text, html) = (written, markup)
        case (nil, let markup?): (text, html) = (HTMLText.text(fromHTML: markup), markup)
        case (let written?, nil): (text, html) = (written, Self.html(fromText: written))
        case (nil, nil): (text, html) = ("", "")
        }
        guard !message.links.isEmpty else { return (text, html) }
        for card in message.links {
            text += (text.isEmpty ? "" : "\n\n") + Self.text(of: card)
        }
        let cards = message.links.map(Self.html(of:)).joined(separator: "\n")
        if html.isEmpty {
            html = Self.document(body: cards)
        } else if let end = html.range(of: "</body>", options: [.caseInsensitive, .backwards]) {
            html.insert(contentsOf: cards + "\n", at: end.lowerBound)
        } else {
            html += "\n" + cards
        }
        return (text, html)
    }

    /// A card in the text part: title, address, description, each on its own line.
    static func text(of card: LinkCard) -> String {
        [card.title, card.url, card.description].compactMap { $0 }.joined(separator: "\n")
    }

    /// A card in the HTML part: the title as a link, the description beneath (no remote image:
    /// many clients block them, and a missing picture looks worse than none).
    static func html(of card: LinkCard) -> String {
        var html = "<p><a href=\"\(escape(card.url))\">\(escape(card.title ?? card.url))</a>"
        if let description = card.description { html += "<br>\n" + escape(description) }
        return html + "</p>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func html(fromText text: String) -> String {
        let paragraphs = escape(text).replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
            .map { "<p>" + $0.replacingOccurrences(of: "\n", with: "<br>\n") + "</p>" }
        return document(body: paragraphs.joined(separator: "\n"))
    }

    static func document(body: String) -> String {
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n" + body + "\n</body></html>"
    }

    /// A media type safe to put in a header (attachments' types come from senders and agents).
    static func safeMediaType(_ type: String) -> String {
        let parts = type.split(separator: "/")
        let token: (Substring) -> Bool = { !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "!#$&-^_.+".contains($0)) } }
        guard parts.count == 2, token(parts[0]), token(parts[1]) else { return "application/octet-stream" }
        return type.lowercased()
    }
}
