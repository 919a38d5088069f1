import Foundation
import SwitchboardCore
import SwitchboardEmail
import SwitchboardMIME
import SwitchboardTesting
import Testing

/// The mail round trip through the real Dovecot as well as SMTP: part of the serialized Dovecot
/// suite, so no other test restarts the server meanwhile.
extension EmailIMAPTests: MailGatewayTesting {
    @Test("round trip: mail in by SMTP → agent reply out, threaded → the customer's answers (SMTP and IMAP) join the conversation")
    func roundTrip() async throws {
        try await Dovecot.ensureRunning()
        let folder = Dovecot.folder("roundtrip")
        try await Dovecot.append([Dovecot.message(id: "<rt-seed@example.org>", subject: "seed", from: "seed@example.org")], to: folder)
        let setup = try setup(imapFolder: folder)
        try await setup.relay.start()
        let gateway = try await start(setup)
        try await setup.relay.stopping { try await gateway.use { gateway in
            let answer = try await SMTPRelay.deliver(mail(id: "<rt.1@customer.test>", subject: "Order 1042 missing"), port: setup.inboundPort)
            #expect(answer.contains("\"ok\": true"), "\(answer)")
            var conversation: [String: Any] = [:]
            #expect(try await eventually {
                for item in try await conversations(gateway) {
                    let stored = try await messages(gateway, item["id"] as? String ?? "")
                    if stored.contains(where: { $0["externalId"] as? String == "<rt.1@customer.test>" }) {
                        conversation = item
                        return true
                    }
                }
                return false
            })
            let id = try #require(conversation["id"] as? String)
            let number = try #require(conversation["number"] as? Int)

            let sent = try await reply(gateway, id, "We found your parcel — it arrives tomorrow.\n.Sorry for the wait.")
            let ourMessageID = try #require(sent["externalId"] as? String)
            #expect(ourMessageID.hasPrefix("<sb.") && ourMessageID.hasSuffix("@example.com>"))
            #expect(try await eventually { setup.relay.messages().count == 1 }, "the relay received the reply")
            let raw = try #require(setup.relay.messages().first)
            let parsed = MIMEParser().parse(Array(raw.utf8))
            #expect(parsed.headers.string("X-Envelope-To")?.trimmingCharacters(in: .whitespaces) == "customer@example.net")
            #expect(parsed.headers.string("X-Envelope-From")?.trimmingCharacters(in: .whitespaces) == "support@example.com")
            #expect(parsed.from == MailAddress(address: "support@example.com", name: "Shop Support"))
            #expect(parsed.subject == "Re: Order 1042 missing [#\(number)]")
            #expect(parsed.messageID == ourMessageID && parsed.inReplyTo == "<rt.1@customer.test>")
            #expect(parsed.references == ["<rt.1@customer.test>"])
            #expect(parsed.headers.string("Auto-Submitted")?.trimmingCharacters(in: .whitespaces) == "no")
            #expect(
                parsed.text?.replacingOccurrences(of: "\r\n", with: "\n").contains("it arrives tomorrow.\n.Sorry for the wait.") == true,
                "dot-stuffed on the way, intact on arrival: \(parsed.text ?? "nil")")
            #expect(parsed.html?.contains("<br>") == true)
            #expect(try await eventually { try await messages(gateway, id).last?["deliveryState"] as? String == "delivered" })

            // The customer answers by SMTP, without our token in the subject: In-Reply-To finds the conversation.
            let bySMTP = try await SMTPRelay.customerReply(to: ourMessageID, subject: "Re: Order 1042 missing", body: "Great, thanks!")
            _ = try await SMTPRelay.deliver(bySMTP, port: setup.inboundPort)
            #expect(try await eventually { try await messages(gateway, id).count == 3 }, "the SMTP answer joins the conversation")
            // And once more through the mailbox (IMAP), answering our reply again.
            let byIMAP = try await SMTPRelay.customerReply(to: ourMessageID, subject: "Re: Order 1042 missing", body: "One more thing")
            try await Dovecot.append([Data(byIMAP.utf8)], to: folder)
            #expect(try await eventually { try await messages(gateway, id).count == 4 }, "the IMAP answer joins the conversation")
            let all = try await conversations(gateway)
            #expect(all.count == 2, "the seed mail's conversation and this one, nothing else: \(all.count)")
        } }
    }
}
