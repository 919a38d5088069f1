import Foundation
import SwitchboardCore
import SwitchboardEmail
import SwitchboardTesting
import Testing

/// An email channel with an SMTP listener and a relay, as the SMTP tests set it up.
struct MailSetup {
    var relay: SMTPRelay
    var inboundPort: Int
    var channel: [String: ConfigValue]
}

/// What the mail tests do with a gateway: set up a channel with an SMTP listener and a relay,
/// list conversations and messages, reply as an agent — through the REST API.
protocol MailGatewayTesting {}

extension MailGatewayTesting {
    func setup(imapFolder: String? = nil, extra: [String: ConfigValue] = [:]) throws -> MailSetup {
        let relay = try SMTPRelay()
        let inbound = try LoopbackPort.free()
        var channel: [String: ConfigValue] = [
            "id": "mail", "type": "email", "addresses": .list(["support@example.com"]),
            "inbound": .map(["listen": .string("127.0.0.1:\(inbound)"), "hostname": "mx.test"]),
            "outbound": .map(["host": "127.0.0.1", "port": .int(relay.port), "tls": "none", "fromName": "Shop Support", "timeoutSeconds": 15]),
        ]
        if let imapFolder {
            channel.merge(Dovecot.channel(folders: [imapFolder])) { old, _ in old }
        }
        channel.merge(extra) { $1 }
        return MailSetup(relay: relay, inboundPort: inbound, channel: channel)
    }

    func start(_ setup: MailSetup) async throws -> TestGateway {
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

    func mail(id: String, subject: String, from: String = "customer@example.net", body: String = "Hello") -> String {
        Fixtures.mail(id: id, subject: subject, from: from, body: body)
    }

}
