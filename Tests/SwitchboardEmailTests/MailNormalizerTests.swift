import Foundation
import SwitchboardCore
import SwitchboardEmail
import SwitchboardMIME
import Testing

@Suite("Mail normalization")
struct MailNormalizerTests {
    static let normalizer = MailNormalizer(
        channelID: ChannelID(rawValue: "support-mail"), ownAddresses: ["support@shop.example", "kefu@shop.example"])

    static func normalize(_ text: String) -> MailNormalizer.Result {
        normalizer.normalize(Array(text.utf8), receivedAt: Date(timeIntervalSince1970: 1_790_000_000))
    }

    @Test("a customer mail becomes a contact: sender handle, name, ids, thread hints, subject token, date")
    func customerMail() throws {
        let result = Self.normalize(
            """
            From: "Li, Na" <Li.Na@Example.COM>\r
            To: Support <support@shop.example>\r
            Cc: boss@example.com\r
            Subject: Re: [#1042] broken kettle\r
            Date: Wed, 04 Mar 2026 04:54:00 +0800\r
            Message-ID: <m2@example.com>\r
            In-Reply-To: <reply-9@shop.example>\r
            References: <m1@example.com> <reply-9@shop.example>\r
            \r
            Still broken.\r

            """)
        let contact = try #require(result.contact)
        #expect(contact.sender == Handle(kind: "email", value: "li.na@example.com"))
        #expect(contact.senderName == "Li, Na")
        #expect(contact.externalID == "<m2@example.com>")
        #expect(contact.recipient == "support@shop.example")
        #expect(contact.threadHints.replyTo == ["<reply-9@shop.example>", "<m1@example.com>"])
        #expect(contact.threadHints.subjectToken == "1042")
        #expect(!contact.threadHints.byInactivityWindow, "mail threads by replies only")
        #expect(contact.occurredAt == Date(timeIntervalSince1970: 1_772_571_240))
        #expect(contact.text?.contains("Still broken.") == true)
        #expect(contact.channelKind == .email)
        #expect(result.flags.isConversational)
        #expect(throws: Never.self) { try contact.validate() }
    }

    @Test("no Message-ID: the content hash is the id, the same for the same bytes")
    func contentHash() throws {
        let mail = "From: a@b.example\r\nSubject: hi\r\n\r\nbody\r\n"
        let first = try #require(Self.normalize(mail).contact?.externalID)
        #expect(first.hasPrefix("sha256:") && first.count == 71)
        #expect(Self.normalize(mail).contact?.externalID == first)
        #expect(Self.normalize(mail + "x").contact?.externalID != first)
    }

    @Test("auto-replies, bounces, lists, bulk, our own mail and loops do not open conversations")
    func noise() {
        let cases: [(String, KeyPath<MailNormalizer.Flags, Bool>)] = [
            ("Auto-Submitted: auto-replied\r\n", \.autoSubmitted),
            ("List-Id: <news.example.com>\r\n", \.mailingList),
            ("Precedence: bulk\r\n", \.bulk),
            ("X-Loop: support@shop.example\r\n", \.loop),
        ]
        for (header, flag) in cases {
            let result = Self.normalize("From: x@y.example\r\n\(header)Subject: s\r\n\r\nhi\r\n")
            #expect(result.flags[keyPath: flag], "\(header)")
            #expect(!result.flags.isConversational, "\(header)")
        }
        let own = Self.normalize("From: Kefu <KEFU@shop.example>\r\nSubject: s\r\n\r\nhi\r\n")
        #expect(own.flags.ownAddress && !own.flags.isConversational)
        let fine = Self.normalize("From: x@y.example\r\nAuto-Submitted: no\r\nSubject: s\r\n\r\nhi\r\n")
        #expect(fine.flags.isConversational)
    }

    @Test("attachments keep names, types, content ids; unnamed ones get a name; empty mail keeps its subject")
    func attachments() throws {
        let result = Self.normalize(
            """
            From: x@y.example\r
            Subject: files\r
            Content-Type: multipart/mixed; boundary=b\r
            \r
            --b\r
            Content-Type: text/plain\r
            \r
            see files\r
            --b\r
            Content-Type: image/png\r
            Content-ID: <img1@y>\r
            Content-Transfer-Encoding: base64\r
            \r
            iVBORw0KGgo=\r
            --b\r
            Content-Type: application/pdf; name="=?utf-8?B?5oql5Lu3LnBkZg==?="\r
            Content-Transfer-Encoding: base64\r
            \r
            JVBERi0=\r
            --b--\r

            """)
        let contact = try #require(result.contact)
        #expect(contact.attachments.map(\.name) == ["attachment-1.png", "报价.pdf"])
        #expect(contact.attachments.first?.contentID == "img1@y")
        #expect(contact.attachments.last?.contentType == "application/pdf")
        let empty = try #require(Self.normalize("From: x@y.example\r\nSubject: only a subject\r\n\r\n").contact)
        #expect(empty.text == "only a subject")
        #expect(throws: Never.self) { try empty.validate() }
        #expect(Self.normalize("Subject: no sender\r\n\r\nhi").contact == nil)
    }

    @Test("every corpus message normalizes to a valid contact")
    func corpus() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SwitchboardMIMETests/Fixtures")
        let files = try ["corpus", "extra"].flatMap { set in
            try FileManager.default.contentsOfDirectory(atPath: fixtures.appendingPathComponent(set).path)
                .filter { $0.hasSuffix(".eml") }.map { fixtures.appendingPathComponent("\(set)/\($0)") }
        }
        #expect(files.count >= 60)
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: file))
            let result = Self.normalizer.normalize(bytes, receivedAt: Date())
            let contact = try #require(result.contact, "\(file)")
            #expect(throws: Never.self, "\(file)") { try contact.validate() }
        }
    }
}
