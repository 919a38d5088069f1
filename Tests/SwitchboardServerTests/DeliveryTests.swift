import Foundation
import SwitchboardCore
import SwitchboardServer
import SwitchboardTesting
import SwitchboardWebChat
import Testing

@Suite("End to end over HTTP: ingest, API, replies to the callback")
struct DeliveryTests {
    @Test("signed post → API shows it → agent reply delivered to the callback, signed")
    func roundTrip() async throws {
        let recorder = try await CallbackRecorder.start()
        let gateway = try await TestGateway.start(
            channels: [WebChat.channel(callback: "http://127.0.0.1:\(recorder.port)/hook")], factories: [WebChatAdapterFactory()])
        let posted = try await WebChat.post(gateway, json: ["id": "e2e-1", "visitor": ["id": "v-e2e"], "text": "where is my order?"])
        #expect(posted.status == 202)
        let conversation = try #require(posted.json["conversationId"] as? String)
        let detail = try await gateway.client.get("/api/v1/conversations/\(conversation)", bearer: TestGateway.adminToken)
        #expect((detail.json["messages"] as? [[String: Any]])?.first?["text"] as? String == "where is my order?")

        let reply = try await gateway.client.post(
            "/api/v1/conversations/\(conversation)/messages", json: ["text": "It ships today.", "author": "Agent Smith"],
            bearer: TestGateway.adminToken)
        #expect(reply.status == 201)
        let received = await recorder.waitFor(count: 1)
        #expect(received.count == 1)
        let callback = try #require(received.first)
        #expect(callback.path == "/hook")
        let signatureOK = WebChat.signature.verify(
            body: callback.body, timestamp: callback.headers["x-switchboard-timestamp"],
            signature: callback.headers["x-switchboard-signature"], now: Date())
        #expect(signatureOK == nil, "callback must be signed with the channel secret")
        let body = try #require(try JSONSerialization.jsonObject(with: callback.body) as? [String: Any])
        #expect(body["text"] as? String == "It ships today.")
        #expect(body["conversationId"] as? String == conversation)
        #expect((body["visitor"] as? [String: String])?["id"] == "v-e2e")
        #expect(body["messageId"] as? String == reply.json["id"] as? String)
        #expect((body["links"] as? [Any])?.isEmpty == true)
        try await waitUntil { try await deliveryState(gateway, conversation) == "delivered" }

        // Link cards: kept on the message as link parts and carried in the callback.
        let card = ["url": "https://help.example.com/returns", "title": "Returns", "description": "30 days", "imageUrl": "https://img.example.com/r.png"]
        let withLinks = try await gateway.client.post(
            "/api/v1/conversations/\(conversation)/messages", json: ["links": [card]], bearer: TestGateway.adminToken)
        #expect(withLinks.status == 201, "\(withLinks.text)")
        let parts = try #require(withLinks.json["parts"] as? [[String: String]])
        #expect(parts == [["type": "link", "url": "https://help.example.com/returns", "title": "Returns", "description": "30 days", "imageURL": "https://img.example.com/r.png"]])
        let second = try #require(await recorder.waitFor(count: 2).last)
        let secondBody = try #require(try JSONSerialization.jsonObject(with: second.body) as? [String: Any])
        #expect(secondBody["links"] as? [[String: String]] == [card])
        #expect(secondBody["text"] == nil || secondBody["text"] is NSNull)
        let stored = try await gateway.client.get("/api/v1/conversations/\(conversation)", bearer: TestGateway.adminToken)
        #expect(((stored.json["messages"] as? [[String: Any]])?.last?["parts"] as? [[String: String]]) == parts)
        await gateway.stop()
        await recorder.stop()
    }

    @Test("callback down for a while → delivered after it comes back, and not lost across a restart")
    func outageAndRestart() async throws {
        let port = try await freeLoopbackPort()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sb-outage-\(UUID().uuidString)")
        let configure: (inout GatewayConfiguration) -> Void = { $0.delivery.initialBackoffSeconds = 1; $0.delivery.maxBackoffSeconds = 1 }
        var gateway = try await TestGateway.start(
            channels: [WebChat.channel(callback: "http://127.0.0.1:\(port)/hook")], factories: [WebChatAdapterFactory()],
            dataDirectory: data, configure: configure)
        let posted = try await WebChat.post(gateway, json: ["id": "o-1", "visitor": ["id": "v-o"], "text": "hello?"])
        let conversation = try #require(posted.json["conversationId"] as? String)
        let reply = try await gateway.client.post(
            "/api/v1/conversations/\(conversation)/messages", json: ["text": "answer 1"], bearer: TestGateway.adminToken)
        #expect(reply.status == 201)
        // Nothing listens on the callback port: the delivery fails and is rescheduled.
        try await waitUntil { try await gateway.store.conversation(ConversationID(conversation))?.messages.last?.deliveryState == "pending" }
        try await Task.sleep(for: .seconds(1.5))
        #expect(try await deliveryState(gateway, conversation) == "pending")

        // Restart the gateway while the delivery is still pending.
        await gateway.stop(removeData: false)
        gateway = try await TestGateway.start(
            channels: [WebChat.channel(callback: "http://127.0.0.1:\(port)/hook")], factories: [WebChatAdapterFactory()],
            dataDirectory: data, configure: configure)
        // The receiver comes up, first failing with 503, then healthy.
        let recorder = try await CallbackRecorder.start(port: port)
        recorder.setFailing(true)
        try await Task.sleep(for: .seconds(1.5))
        #expect(recorder.received.isEmpty)
        recorder.setFailing(false)
        let received = await recorder.waitFor(count: 1, timeout: .seconds(15))
        #expect(received.count == 1)
        #expect((try JSONSerialization.jsonObject(with: received[0].body) as? [String: Any])?["text"] as? String == "answer 1")
        let attempt = (try JSONSerialization.jsonObject(with: received[0].body) as? [String: Any])?["attempt"] as? Int ?? 0
        #expect(attempt >= 2, "delivered after retries, attempt \(attempt)")
        try await waitUntil { try await deliveryState(gateway, conversation) == "delivered" }
        try await Task.sleep(for: .seconds(1.5))
        #expect(recorder.received.count == 1, "delivered exactly once after acknowledgement")
        await gateway.stop()
        await recorder.stop()
    }

    func deliveryState(_ gateway: TestGateway, _ conversation: String) async throws -> String? {
        try await gateway.store.conversation(ConversationID(conversation))?.messages.last?.deliveryState
    }
}
