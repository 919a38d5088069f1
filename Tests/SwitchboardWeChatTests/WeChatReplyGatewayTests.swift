import Foundation
import SwitchboardCore
import SwitchboardTesting
import SwitchboardWeChat
import Testing

/// Agent replies end to end: a push opens a conversation, an agent answers through the REST
/// API, the outbox delivers through the (fake) customer-service API, and the message's delivery
/// state tells what happened.
@Suite("WeChat replies in the gateway")
struct WeChatReplyGatewayTests {
    func deliveryState(_ gateway: TestGateway, _ conversation: ConversationID) async throws -> (String?, String?) {
        let last = try await gateway.store.conversation(conversation)?.messages.last
        return (last?.deliveryState, last?.deliveryError)
    }

    func open(_ gateway: TestGateway, msgID: String, sender: String, createdAt: Date) async throws -> ConversationID {
        let harness = WeChatHarness()
        let xml = WeChatHarness.pushXML(msgID: msgID, sender: sender, text: "我的快递到哪了？", createTime: Int(createdAt.timeIntervalSince1970))
        let request = harness.encrypted(channel: "wx", xml: xml, timestamp: Int(Date().timeIntervalSince1970))
        let response = try await gateway.client.request("POST", request.path, headers: request.headers, body: request.body)
        #expect(response.status == 200 && response.text == "success")
        let message = try #require(try await gateway.store.message(channelID: ChannelID(rawValue: "wx"), externalID: msgID))
        return message.conversationID
    }

    func reply(_ gateway: TestGateway, _ conversation: ConversationID, _ text: String) async throws {
        let response = try await gateway.client.post(
            "/api/v1/conversations/\(conversation.rawValue)/messages", json: ["text": text, "author": "小王"], bearer: TestGateway.adminToken)
        #expect(response.status == 201, "\(response.text)")
    }

    @Test("a reply reaches the customer; outside 48 hours or on a permanent code it fails with WeChat's reason")
    func replies() async throws {
        let api = FakeWeChatAPI()
        try await api.start()
        var config = WeChatGatewayTests.config([
            "appSecret": .string(FakeWeChatAPI.appSecret), "apiBaseURL": .string(api.baseURL), "timestampToleranceSeconds": .int(300),
        ])
        config["appID"] = .string(FakeWeChatAPI.appID)
        let gateway = try await TestGateway.start(channels: [config], factories: [WeChatAdapterFactory()])
        try await gateway.use { gateway in
            let fresh = try await open(gateway, msgID: "770001", sender: "oFresh", createdAt: Date())
            try await reply(gateway, fresh, "明天送达")
            try await waitUntil { try await deliveryState(gateway, fresh).0 == "delivered" }
            let sent = try #require(api.sent.first)
            #expect(sent.body["touser"] as? String == "oFresh")
            #expect(String(decoding: sent.json, as: UTF8.self).contains("明天送达"))
            // A card from the API becomes a news message.
            let card = try await gateway.client.post(
                "/api/v1/conversations/\(fresh.rawValue)/messages",
                json: ["links": [["url": "https://help.example.com/track?id=1", "title": "查询物流", "imageUrl": "https://img.example.com/t.png"]]],
                bearer: TestGateway.adminToken)
            #expect(card.status == 201, "\(card.text)")
            try await waitUntil { api.sent.count == 2 }
            #expect(api.sent[1].body["msgtype"] as? String == "news")
            #expect(String(decoding: api.sent[1].json, as: UTF8.self).contains(#""picurl":"https://img.example.com/t.png""#))
            try await waitUntil { try await deliveryState(gateway, fresh).0 == "delivered" }

            let stale = try await open(gateway, msgID: "770002", sender: "oStale", createdAt: Date().addingTimeInterval(-49 * 3600))
            try await reply(gateway, stale, "抱歉回复晚了")
            try await waitUntil { try await deliveryState(gateway, stale).0 == "failed" }
            #expect(try await deliveryState(gateway, stale).1?.contains("48 hours") == true)

            let refused = try await open(gateway, msgID: "770003", sender: "oGone", createdAt: Date())
            api.script([(43004, "require subscribe hint: [xyz]")])
            try await reply(gateway, refused, "还在吗？")
            try await waitUntil { try await deliveryState(gateway, refused).0 == "failed" }
            #expect(try await deliveryState(gateway, refused).1?.contains("errcode 43004") == true)
            #expect(api.sent.count == 2)
        }
        await api.stop()
    }
}
