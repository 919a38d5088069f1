import Foundation
import Metrics
import SwitchboardCore
import SwitchboardTesting
import SwitchboardWebChat

/// A sink for adapters built only to be validated.
struct RecordingSinkStandIn: ContactSink {
    func ingest(_ contact: InboundContact) async throws(IngestError) -> IngestReceipt { throw .shuttingDown }
    func recordRating(_ rating: RatingSubmission) async throws(IngestError) -> RatingReceipt { throw .shuttingDown }
    func record(_ contact: RecordedContact) async throws(IngestError) -> RecordReceipt { throw .shuttingDown }
    func checkpoint(channel: ChannelID, scope: String) async throws(IngestError) -> String? { throw .shuttingDown }
}

enum WebChat {
    static let secret = "server-test-secret-0123456789"
    static let signature = WebChatSignature(secret: secret)

    static func channel(id: String = "web", callback: String? = nil) -> [String: ConfigValue] {
        var values: [String: ConfigValue] = ["id": .string(id), "type": "webchat", "secret": .string(secret)]
        if let callback {
            values["callbackURL"] = .string(callback)
            values["allowPrivateCallbackAddresses"] = true
        }
        return values
    }

    /// Posts a signed web chat message and returns the response.
    static func post(_ gateway: TestGateway, channel: String = "web", json: [String: Any]) async throws -> TestHTTPClient.Response {
        let body = try JSONSerialization.data(withJSONObject: json)
        let timestamp = Int(Date().timeIntervalSince1970)
        return try await gateway.client.request(
            "POST", "/channels/\(channel)/\(json["score"] == nil ? "messages" : "ratings")",
            headers: [
                (name: WebChatSignature.timestampHeader, value: String(timestamp)),
                (name: WebChatSignature.signatureHeader, value: signature.sign(body: body, timestamp: timestamp)),
            ], body: body)
    }
}
