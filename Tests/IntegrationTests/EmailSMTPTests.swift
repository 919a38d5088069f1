import Foundation
import SwitchboardCore
import SwitchboardEmail
import SwitchboardMIME
import SwitchboardTesting
import Testing

/// Email over SMTP both ways: customers' mail delivered by smtplib to our listener, agent replies
/// sent through a real SMTP relay on loopback (aiosmtpd). Serialized: the relay is stopped and
/// started. (The round trip through Dovecot is in the serialized Dovecot suite.)
@Suite("Email over SMTP: listener, replies through a relay, round trips", .serialized)
struct EmailSMTPTests: MailGatewayTesting {
    @Test("relay down: the reply waits and is retried; relay back: delivered. A 550 marks the reply failed with the relay's words")
    func relayFailures() async throws {
        let setup = try setup()
        let gateway = try await start(setup)
        try await setup.relay.stopping { try await gateway.use { gateway in
            _ = try await SMTPRelay.deliver(mail(id: "<down.1@customer.test>", subject: "Down"), port: setup.inboundPort)
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
                mail(id: "<reject.1@customer.test>", subject: "Refused", from: "reject-me@example.net"), port: setup.inboundPort,
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

    @Test("STARTTLS and AUTH to the relay, verified with the test CA; a wrong password is retried, not failed")
    func secureRelay() async throws {
        let certificates = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-relay-tls").path
        try await ChildProcess.run("/bin/bash", [SMTPRelay.root.appendingPathComponent("scripts/test-certs.sh").path, certificates])
        let good = try setup(extra: [:])
        var channels = [good.channel]
        channels[0]["outbound"] = .map([
            "host": "127.0.0.1", "port": .int(good.relay.port), "tls": "starttls", "caFile": .string(certificates + "/ca.pem"),
            "username": "relayuser", "password": "relaypass", "timeoutSeconds": 15,
        ])
        let badInbound = try LoopbackPort.free()
        channels.append([
            "id": "bad", "type": "email", "addresses": .list(["other@example.com"]),
            "inbound": .map(["listen": .string("127.0.0.1:\(badInbound)")]),
            "outbound": .map([
                "host": "127.0.0.1", "port": .int(good.relay.port), "tls": "starttls", "caFile": .string(certificates + "/ca.pem"),
                "username": "relayuser", "password": "wrong", "timeoutSeconds": 15,
            ]),
        ])
        try await good.relay.start([
            "--tls-cert", certificates + "/server.pem", "--tls-key", certificates + "/server.key", "--auth", "relayuser:relaypass",
        ])
        let gateway = try await TestGateway.start(channels: channels, factories: [EmailAdapterFactory()]) { configuration in
            configuration.delivery.initialBackoffSeconds = 0.5
            configuration.delivery.maxBackoffSeconds = 1
        }
        try await good.relay.stopping { try await gateway.use { gateway in
            _ = try await SMTPRelay.deliver(mail(id: "<tls.1@customer.test>", subject: "Secure"), port: good.inboundPort)
            _ = try await SMTPRelay.deliver(
                mail(id: "<tls.2@customer.test>", subject: "Wrong password"), port: badInbound, to: "other@example.com")
            #expect(try await eventually { try await conversations(gateway).count == 1 })
            let id = try #require(try await conversations(gateway).first?["id"] as? String)
            _ = try await reply(gateway, id, "Over TLS with AUTH")
            #expect(try await eventually { try await messages(gateway, id).last?["deliveryState"] as? String == "delivered" })
            #expect(good.relay.messages().contains { $0.contains("Over TLS with AUTH") })

            let badList = try await gateway.client.get("/api/v1/conversations?channel=bad", bearer: TestGateway.adminToken)
            let badItems = (try JSONSerialization.jsonObject(with: badList.body) as? [String: Any])?["items"] as? [[String: Any]] ?? []
            let badID = try #require(badItems.first?["id"] as? String)
            _ = try await reply(gateway, badID, "Never delivered")
            #expect(try await eventually {
                let last = try await messages(gateway, badID).last
                return last?["deliveryState"] as? String == "pending"
                    && (last?["deliveryError"] as? String)?.contains("check outbound.username and password") == true
            }, "a refused login is retried (fix the password and the reply goes out), not failed")
            let refusal = try await messages(gateway, badID).last?["deliveryError"] as? String
            #expect(refusal?.contains("535") == true, "\(refusal ?? "nil")")
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
            "outbound": .map(["host": "127.0.0.1", "port": .int(relay), "tls": "none", "timeoutSeconds": 15]),
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
            _ = try await SMTPRelay.deliver(EmailSMTPTests().mail(id: "<s1@example.com>", subject: "first", from: "b@example.com"), port: portA, from: "b@example.com", to: "a@example.com")
            _ = try await SMTPRelay.deliver(EmailSMTPTests().mail(id: "<s2@example.com>", subject: "second", from: "b@example.com"), port: portA, from: "b@example.com", to: "a@example.com")
            _ = try await SMTPRelay.deliver(EmailSMTPTests().mail(id: "<s3@example.com>", subject: "third", from: "a@example.com"), port: portB, from: "a@example.com", to: "b@example.com")
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
