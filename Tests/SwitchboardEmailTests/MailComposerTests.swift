import Foundation
import SwitchboardCore
import SwitchboardMIME
import Testing

@testable import SwitchboardEmail

/// Replies as mail: what we write must read back, through our own parser, as what the agent wrote.
@Suite("Mail composer and SMTP client pieces")
struct MailComposerTests {
    let composer = MailComposer(fromAddress: "support@shop.example", fromName: "Shop Support — 客服", subjectToken: SubjectToken())

    func message(text: String?, html: String?, subject: String? = "Order 1042 did not arrive") -> OutboundMessage {
        OutboundMessage(
            conversationID: ConversationID("c1"), conversationNumber: 77, messageID: MessageID("m1"),
            recipient: Handle(kind: "email", value: "customer@example.net"), author: "Ann", text: text, html: html, attachments: [],
            createdAt: Date(timeIntervalSince1970: 1_795_000_000), externalID: "<sb.m1@shop.example>", subject: subject,
            inReplyTo: "<c2@example.net>", references: ["<c1@example.net>", "<sb.m0@shop.example>", "<c2@example.net>"])
    }

    @Test("headers: From with an encoded name, Re: subject with the token, our Message-ID, the thread, Auto-Submitted: no")
    func headers() throws {
        let raw = composer.compose(
            message(text: "Hello — we found it.\n.dot line\nZeile mit Umlaut: äöü, 你好", html: nil), attachments: [],
            recipient: "customer@example.net", messageID: "<sb.m1@shop.example>", date: Date(timeIntervalSince1970: 1_795_000_000))
        #expect(raw.allSatisfy { $0 < 128 }, "7-bit clean")
        let parsed = MIMEParser().parse(raw)
        #expect(parsed.issues.isEmpty, "\(parsed.issues)")
        #expect(parsed.from == MailAddress(address: "support@shop.example", name: "Shop Support — 客服"))
        #expect(parsed.to.map(\.address) == ["customer@example.net"])
        #expect(parsed.subject == "Re: Order 1042 did not arrive [#77]")
        #expect(parsed.messageID == "<sb.m1@shop.example>" && parsed.inReplyTo == "<c2@example.net>")
        #expect(parsed.references == ["<c1@example.net>", "<sb.m0@shop.example>", "<c2@example.net>"])
        #expect(parsed.headers.string("Auto-Submitted")?.trimmingCharacters(in: .whitespaces) == "no" && !parsed.isAutoSubmitted)
        #expect(parsed.text?.contains("Zeile mit Umlaut: äöü, 你好") == true && parsed.text?.contains("\n.dot line") == true)
        #expect(parsed.html?.contains("<p>Hello — we found it.<br>") == true, "an HTML alternative is made from the text")
        #expect(parsed.root.mediaType == "multipart/alternative")
        #expect(parsed.date == Date(timeIntervalSince1970: 1_795_000_000))
        let lines = String(decoding: raw, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 998 })
    }

    @Test("the subject gets one Re: and the token once, even when the thread already has them")
    func subject() {
        #expect(composer.subject(for: message(text: "x", html: nil, subject: "Re: Order [#77]")) == "Re: Order [#77]")
        #expect(composer.subject(for: message(text: "x", html: nil, subject: "Order [#12]")) == "Re: Order [#12] [#77]")
        #expect(composer.subject(for: message(text: "x", html: nil, subject: nil)) == "Re: [#77]")
    }

    @Test("link cards follow the text in both parts, escaped in the HTML")
    func links() throws {
        var reply = message(text: "Here is how:", html: nil)
        reply.links = [
            LinkCard(url: "https://help.example.com/returns?a=1&b=2", title: "Returns <30 days>", description: "Free pickup"),
            LinkCard(url: "https://help.example.com/track", title: "Track"),
        ]
        let parsed = MIMEParser().parse(
            composer.compose(reply, attachments: [], recipient: "customer@example.net", messageID: "<sb.m1@shop.example>", date: Date()))
        #expect(parsed.text?.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines) == "Here is how:\n\nReturns <30 days>\nhttps://help.example.com/returns?a=1&b=2\nFree pickup\n\nTrack\nhttps://help.example.com/track")
        let html = try #require(parsed.html)
        #expect(html.contains(#"<p><a href="https://help.example.com/returns?a=1&amp;b=2">Returns &lt;30 days&gt;</a><br>"#))
        #expect(html.contains(#"<a href="https://help.example.com/track">Track</a></p>"#))
        #expect(html.hasSuffix("</body></html>") || html.hasSuffix("</body></html>\n"))
        // Cards alone make a whole mail.
        var cardsOnly = message(text: nil, html: nil)
        cardsOnly.links = [LinkCard(url: "https://help.example.com/track", title: "Track")]
        let alone = MIMEParser().parse(
            composer.compose(cardsOnly, attachments: [], recipient: "customer@example.net", messageID: "<sb.m1@shop.example>", date: Date()))
        #expect(alone.text?.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines) == "Track\nhttps://help.example.com/track")
        #expect(alone.html?.contains("<!DOCTYPE html>") == true)
    }

    @Test("attachments and an automatic acknowledgement")
    func attachmentsAndAutomatic() throws {
        let pdf = Data((0..<3000).map { UInt8($0 % 251) })
        let attachment = OutboundAttachment(
            attachment: Attachment(sha256: Attachment.digest(of: pdf), size: pdf.count, name: "Rechnung März.pdf", contentType: "application/pdf"),
            data: pdf)
        let raw = composer.compose(
            message(text: nil, html: "<p>Invoice <b>attached</b></p>"), attachments: [attachment], recipient: "customer@example.net",
            messageID: "<sb.m1@shop.example>", date: Date(), automatic: true)
        let parsed = MIMEParser().parse(raw)
        #expect(parsed.root.mediaType == "multipart/mixed")
        #expect(parsed.attachments.count == 1)
        #expect(parsed.attachments.first?.filename == "Rechnung März.pdf" && parsed.attachments.first?.body == Array(pdf))
        #expect(parsed.text?.contains("Invoice attached") == true, "the text part is made from the HTML")
        #expect(parsed.isAutoSubmitted && parsed.headers.string("X-Loop")?.contains("support@shop.example") == true)
    }

    @Test("DATA dot-stuffing and line ends")
    func dotStuffing() {
        let stuffed = SMTPClient.dotStuffed(Array("a\n.b\r\n..c\r\nlast".utf8))
        #expect(String(decoding: stuffed, as: UTF8.self) == "a\r\n..b\r\n...c\r\nlast\r\n.\r\n")
        #expect(SMTPClient.offers("STARTTLS", ["relay greets you", "SIZE 100", "STARTTLS"]))
        #expect(!SMTPClient.offers("STARTTLS", ["STARTTLS is the greeting line"]))
    }

    @Test("encoders: quoted-printable soft breaks, encoded words, RFC 2231 parameters")
    func encoders() {
        let long = String(repeating: "é", count: 60)
        let qp = MIMEEncoding.quotedPrintable(long + "\ntrailing space ")
        #expect(qp.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(qp.hasSuffix("trailing space=20"))
        let words = MIMEEncoding.encodedWords(String(repeating: "客服", count: 30))
        #expect(words.components(separatedBy: "\r\n ").allSatisfy { $0.count <= 75 && $0.hasPrefix("=?UTF-8?B?") })
        #expect(MIMEEncoding.encodedWords("plain ascii") == "plain ascii")
        #expect(MIMEEncoding.parameter("filename", "a \"b\".txt") == "filename=\"a \\\"b\\\".txt\"")
        #expect(MIMEEncoding.parameter("filename", "März.pdf") == "filename*=utf-8''M%C3%A4rz.pdf")
        #expect(MIMEEncoding.mailbox(name: "Doe, John", address: "j@example.com") == "\"Doe, John\" <j@example.com>")
    }
}
