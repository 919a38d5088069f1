import Foundation
import SwitchboardCore
import SwitchboardEmail
import SwitchboardMIME
import SwitchboardTesting
import Testing

/// Email over SMTP both ways: customers' mail delivered by smtplib to our listener, agent replies
/// sent through a real SMTP relay on loopback (aiosmtpd), customers' answers threading back by
/// SMTP and by IMAP (Dovecot). Serialized: the relay is stopped and started.
@Suite("Email over SMTP: listener, replies through a relay, round trips", .serialized)
struct EmailSMTPTests {
    struct Setup {
        var relay: SMTPRelay
        var inboundPort: Int
        var channel: [String: ConfigValue]
    }

    func setup(imapFolder: String? = nil, extra: [String: ConfigValue] = [:]) throws -> Setup {
        let relay = try SMTPRelay()
        let inbound = try LoopbackPort.free()
        var channel: [String: ConfigValue] = [
            "id": "mail", "type": "email", "addresses": .list(["support@example.com"]),
            "inbound": .map(["listen": .string("127.0.0.1:\(inbound)"), "hostname": "mx.test"]),
            "outbound": .map(["host": "127.0.0.1", "port": .int(relay.port), "tls": "none", "fromName": "Shop Support", "timeoutSeconds": 5]),
        ]
        if let imapFolder {
            channel.merge(Dovecot.channel(folders: [imapFolder])) { old, _ in old }
        }
        channel.merge(extra) { $1 }
        return Setup(relay: relay, inboundPort: inbound, channel: channel)
    }

    func start(_ setup: Setup) async throws -> TestGateway {
        try await TestGateway.start(channels: [setup.channel], factories: [EmailAdapterFactory()]) { configuration in
            configuration.delivery.initialBackoffSeconds = 0.5
            configuration.delivery.maxBackoffSeconds = 1
        }
    }

    /// The channel's conversations as the API lists them.
    func conversations(_ gateway: TestGateway) async throws -> [[String: Any]] {
        let response = try await gateway.client.get("/api/v1/conversations?channel=mail", bearer: TestGateway.adminToken)
        let body = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return body?["items"] as? [[String: Any]] ?? []
    }

    func messages(_ gateway: TestGateway, _ conversation: String) async throws -> [[String: Any]] {
        let response = try await gateway.client.get("/api/v1/conversations/\(conversation)", bearer: TestGateway.adminToken)
        let body = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return body?["messages"] as? [[String: Any]] ?? []
    }

    func reply(_ gateway: TestGateway, _ conversation: String, _ text: String) async throws -> [String: Any] {
        let response = try await gateway.client.post(
            "/api/v1/conversations/\(conversation)/messages", json: ["text": text], bearer: TestGateway.adminToken)
        #expect(response.status == 201)
        return try JSONSerialization.jsonObject(with: response.body) as? [String: Any] ?? [:]
    }

    static func mail(id: String, subject: String, from: String = "customer@example.net", body: String = "Hello") -> String {
        [
            "From: Customer <\(from)>", "To: support@example.com", "Subject: \(subject)", "Date: Mon, 23 Nov 2026 10:00:00 +0000",
            "Message-ID: \(id)", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", body, "",
        ].joined(separator: "\r\n")
    }

    @Test("round trip: mail in by SMTP → agent reply out, threaded → the customer's answers (SMTP and IMAP) join the conversation")
    func roundTrip() async throws {
        try await Dovecot.ensureRunning()
        let folder = Dovecot.folder("roundtrip")
        try await Dovecot.append([Dovecot.message(id: "<rt-seed@example.org>", subject: "seed", from: "seed@example.org")], to: folder)
        let setup = try setup(imapFolder: folder)
        try await setup.relay.start()
        let gateway = try await start(setup)
        try await setup.relay.stopping { try await gateway.use { gateway in
            let answer = try await SMTPRelay.deliver(Self.mail(id: "<rt.1@customer.test>", subject: "Order 1042 missing"), port: setup.inboundPort)
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

    @Test("relay down: the reply waits and is retried; relay back: delivered. A 550 marks the reply failed with the relay's words")
    func relayFailures() async throws {
        let setup = try setup()
        let gateway = try await start(setup)
        try await setup.relay.stopping { try await gateway.use { gateway in
            _ = try await SMTPRelay.deliver(Self.mail(id: "<down.1@customer.test>", subject: "Down"), port: setup.inboundPort)
            #expect(try await eventually { try await conversations(gateway).count == 1 })
            let id = try #require(try await conversations(gateway).first?["id"] as? String)
            _ = try await reply(gateway, id, "Hello while the relay is down")
            #expect(try await eventually {
                let last = try await messages(gateway, id).last
                return last?["deliveryState"] as? String == "pending" && (last?["deliveryError"] as? String)?.contains("could not connect") == true
            }, "the failed attempt is visible on the message")
            try await setup.relay.start()
            #expect(try await eventually { try await messages(gateway, id).last?["deliveryState"] as? String == "delivered" })
            #expect(setup.relay.messages().count == 1)

            _ = try await SMTPRelay.deliver(
                Self.mail(id: "<reject.1@customer.test>", subject: "Refused", from: "reject-me@example.net"), port: setup.inboundPort,
                from: "reject-me@example.net")
            #expect(try await eventually { try await conversations(gateway).count == 2 })
            let refusedID = try #require(try await conversations(gateway).first { $0["id"] as? String != id }?["id"] as? String)
            _ = try await reply(gateway, refusedID, "This one bounces")
            #expect(try await eventually { try await messages(gateway, refusedID).last?["deliveryState"] as? String == "failed" })
            let failure = try await messages(gateway, refusedID).last?["deliveryError"] as? String
            #expect(failure?.contains("550 5.1.1 <reject-me@example.net>: mailbox unavailable") == true, "\(failure ?? "nil")")
            #expect(setup.relay.messages().count == 1)
        } }
    }
}

/// Two gateways' worth of channels acknowledging each other's mail: the loop rules must stop it.
@Suite("Email auto-replies")
struct EmailAutoReplyTests {
    func channel(_ name: String, listen: Int, relay: Int) -> [String: ConfigValue] {
        [
            "id": .string(name), "type": "email", "addresses": .list([.string("\(name)@example.com")]),
            "inbound": .map(["listen": .string("127.0.0.1:\(listen)"), "hostname": .string("\(name).test")]),
            "outbound": .map(["host": "127.0.0.1", "port": .int(relay), "tls": "none", "timeoutSeconds": 5]),
            "autoReply": .map(["text": "We got it: {number}", "windowMinutes": 60]),
        ]
    }

    func list(_ gateway: TestGateway, _ path: String) async throws -> [[String: Any]] {
        let response = try await gateway.client.get(path, bearer: TestGateway.adminToken)
        return (try JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["items"] as? [[String: Any]] ?? []
    }

    /// Messages of the channel's conversations written by the auto-replier.
    func acknowledgements(_ gateway: TestGateway, channel: String) async throws -> [[String: Any]] {
        var found: [[String: Any]] = []
        for conversation in try await list(gateway, "/api/v1/conversations?channel=\(channel)") {
            let response = try await gateway.client.get("/api/v1/conversations/\(conversation["id"] as? String ?? "")", bearer: TestGateway.adminToken)
            let messages = (try JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["messages"] as? [[String: Any]] ?? []
            found += messages.filter { $0["author"] as? String == "auto-reply" }
        }
        return found
    }

    @Test("two channels auto-replying to each other stop after one acknowledgement each; one per sender per window")
    func storm() async throws {
        let portA = try LoopbackPort.free()
        let portB = try LoopbackPort.free()
        let gateway = try await TestGateway.start(
            channels: [channel("a", listen: portA, relay: portB), channel("b", listen: portB, relay: portA)],
            factories: [EmailAdapterFactory()])
        try await gateway.use { gateway in
            // b writes to a twice (two new conversations), a writes to b once.
            _ = try await SMTPRelay.deliver(EmailSMTPTests.mail(id: "<s1@example.com>", subject: "first", from: "b@example.com"), port: portA, from: "b@example.com", to: "a@example.com")
            _ = try await SMTPRelay.deliver(EmailSMTPTests.mail(id: "<s2@example.com>", subject: "second", from: "b@example.com"), port: portA, from: "b@example.com", to: "a@example.com")
            _ = try await SMTPRelay.deliver(EmailSMTPTests.mail(id: "<s3@example.com>", subject: "third", from: "a@example.com"), port: portB, from: "a@example.com", to: "b@example.com")
            let settled = try await eventually {
                let recordsA = try await list(gateway, "/api/v1/records?channel=a")
                let recordsB = try await list(gateway, "/api/v1/records?channel=b")
                return recordsA.count == 1 && recordsB.count == 1
            }
            #expect(settled, "each side recorded the other's acknowledgement")
            try await Task.sleep(for: .seconds(2))  // anything still bouncing around would show now
            #expect(try await list(gateway, "/api/v1/conversations?channel=a").count == 2)
            #expect(try await list(gateway, "/api/v1/conversations?channel=b").count == 1)
            let acksA = try await acknowledgements(gateway, channel: "a")
            let acksB = try await acknowledgements(gateway, channel: "b")
            #expect(acksA.count == 1, "one acknowledgement for b's two conversations within the window")
            #expect(acksB.count == 1)
            #expect((acksA.first?["text"] as? String)?.hasPrefix("We got it: ") == true)
            #expect(acksA.first?["deliveryState"] as? String == "delivered" && acksB.first?["deliveryState"] as? String == "delivered")
            let records = try await list(gateway, "/api/v1/records?channel=b") + (try await list(gateway, "/api/v1/records?channel=a"))
            #expect(records.allSatisfy { $0["reason"] as? String == "auto-submitted" }, "\(records)")
        }
    }
}
