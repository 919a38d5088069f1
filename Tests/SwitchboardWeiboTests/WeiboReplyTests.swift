import Foundation
import Logging
import Metrics
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting
import SwitchboardWeibo
import Testing

@Suite("Weibo replies and the channel in the gateway")
struct WeiboReplyTests {
    func adapter(_ api: FakeWeiboAPI, token: String = FakeWeiboAPI.accessToken) -> WeiboAdapter {
        WeiboAdapter(
            id: ChannelID(rawValue: "wb"),
            configuration: WeiboConfiguration(appKey: "3165728831", appSecret: WeiboHarness.appSecret, accessToken: token, apiBaseURL: URL(string: api.baseURL)),
            environment: ChannelEnvironment(sink: RecordingSink(), logger: Logger(label: "test"), metricsFactory: NOOPMetricsHandler.instance))
    }

    func delivery(
        text: String? = "您好，已为您登记退货。", lastMessage: Date? = Date().addingTimeInterval(-60), attachments: [OutboundAttachment] = [],
        links: [LinkCard] = []
    ) -> OutboundDelivery {
        OutboundDelivery(
            deliveryID: 1, attempt: 1,
            message: OutboundMessage(
                conversationID: ConversationID("c"), conversationNumber: 1, messageID: MessageID("m"),
                recipient: Handle(kind: "weibo-uid", value: "9007199254740993"), author: "agent", text: text, html: nil,
                attachments: attachments.map(\.attachment), createdAt: Date(), customerLastMessageAt: lastMessage, links: links),
            attachments: attachments)
    }

    func withAPI(_ body: (FakeWeiboAPI) async throws -> Void) async throws {
        let api = FakeWeiboAPI()
        try await api.start()
        do {
            try await body(api)
        } catch {
            await api.stop()
            throw error
        }
        await api.stop()
    }

    @Test("a text reply is posted form-encoded with the data as JSON")
    func text() async throws {
        try await withAPI { api in
            let adapter = adapter(api)
            try await adapter.send(delivery(text: "退货地址：北京市 & 100 号 + 2"))
            let reply = try #require(api.replies.first)
            #expect(reply.form["type"] == "text")
            #expect(reply.form["receiver_id"] == "9007199254740993")
            #expect(reply.data["text"] == "退货地址：北京市 & 100 号 + 2")
            await adapter.shutdown()
        }
    }

    static let cards = [
        LinkCard(url: "https://help.example.com/returns?lang=zh&v=2", title: "退货流程", description: "七天无理由退货", imageURL: "https://img.example.com/r.jpg"),
        LinkCard(url: "https://help.example.com/track", title: "查询物流"),
    ]

    @Test("link cards go out as one articles reply after the text, with Weibo's field names")
    func articles() async throws {
        try await withAPI { api in
            let adapter = adapter(api)
            try await adapter.send(delivery(text: "请看：", links: Self.cards))
            #expect(api.replies.map { $0.form["type"] } == ["text", "articles"])
            let cards = try #require(api.replies.last?.articles)
            #expect(cards.count == 2)
            #expect(cards[0] == ["display_name": "退货流程", "summary": "七天无理由退货", "image": "https://img.example.com/r.jpg", "url": "https://help.example.com/returns?lang=zh&v=2"])
            #expect(cards[1] == ["display_name": "查询物流", "url": "https://help.example.com/track"])
            // A reply of cards alone is one call.
            try await adapter.send(delivery(text: nil, links: [Self.cards[1]]))
            #expect(api.replies.map { $0.form["type"] } == ["text", "articles", "articles"])
            await adapter.shutdown()
        }
    }

    @Test("a retry after the text went out sends only the cards")
    func resumesAfterText() async throws {
        try await withAPI { api in
            let adapter = adapter(api)
            api.script([(0, ""), (10001, "system error")])
            await #expect(throws: DeliveryError.self) { try await adapter.send(delivery(text: "请看：", links: Self.cards)) }
            #expect(api.replies.map { $0.form["type"] } == ["text"])
            try await adapter.send(delivery(text: "请看：", links: Self.cards))
            #expect(api.replies.map { $0.form["type"] } == ["text", "articles"], "the text is not sent twice")
            await adapter.shutdown()
        }
    }

    @Test("error codes: busy and rate limits retried, a refused token retried with advice, others failed with Weibo's words")
    func errors() async throws {
        try await withAPI { api in
            let adapter = adapter(api)
            for (code, retryable) in [(10001, true), (10023, true), (21327, true), (20016, false), (20019, false)] {
                api.script([(code, "error \(code)")])
                await #expect {
                    try await adapter.send(delivery())
                } throws: { error in
                    guard let error = error as? DeliveryError else { return false }
                    return error.isRetryable == retryable && error.reason.contains("error_code \(code)")
                }
            }
            let wrongToken = self.adapter(api, token: "expired")
            await #expect {
                try await wrongToken.send(delivery())
            } throws: { ($0 as? DeliveryError)?.reason.contains("accessToken") == true }
            #expect(api.replies.isEmpty)
            await adapter.shutdown()
            await wrongToken.shutdown()
        }
    }

    @Test("outside 48 hours, with files, or without text, nothing is sent and the reply fails")
    func refusals() async throws {
        try await withAPI { api in
            let adapter = adapter(api)
            let file = OutboundAttachment(attachment: Attachment(sha256: "00", size: 1, name: "a.pdf", contentType: "application/pdf"), data: Data([1]))
            for delivery in [delivery(lastMessage: Date().addingTimeInterval(-49 * 3600)), delivery(attachments: [file]), delivery(text: nil)] {
                await #expect {
                    try await adapter.send(delivery)
                } throws: { ($0 as? DeliveryError)?.isRetryable == false }
            }
            #expect(api.replies.isEmpty)
            await adapter.shutdown()
        }
    }

    @Test("over HTTP: a push opens a conversation, its retry stores nothing, an agent's reply reaches the API, unknown types are kept")
    func endToEnd() async throws {
        try await withAPI { api in
            var config = WeiboHarness().channelConfig(id: "wb")
            config["accessToken"] = .string(FakeWeiboAPI.accessToken)
            config["apiBaseURL"] = .string(api.baseURL)
            let gateway = try await TestGateway.start(channels: [config], factories: [WeiboAdapterFactory()])
            try await gateway.use { gateway in
                let harness = WeiboHarness()
                let request = harness.contactRequest(channel: "wb", externalID: "e2e", sender: "fan", text: "还没发货？", now: Date())
                let first = try await gateway.client.request("POST", request.path, headers: request.headers, body: request.body)
                #expect(first.status == 200 && first.body.isEmpty)
                // Weibo retries with a new nonce and timestamp: the same push, nothing more stored.
                let retry = harness.signedRequest(channel: "wb", body: request.body, now: Date())
                #expect(try await gateway.client.request("POST", retry.path, headers: retry.headers, body: retry.body).status == 200)
                #expect(try await gateway.store.statistics().messages == 1)
                let message = try #require(
                    try await gateway.store.message(channelID: ChannelID(rawValue: "wb"), externalID: harness.storedExternalID(for: "e2e")))
                let reply = try await gateway.client.post(
                    "/api/v1/conversations/\(message.conversationID.rawValue)/messages", json: ["text": "今天发出"], bearer: TestGateway.adminToken)
                #expect(reply.status == 201)
                try await waitUntil { api.replies.count == 1 }
                #expect(api.replies.first?.form["receiver_id"] == String(WeiboHarness.uid("fan")))
                try await waitUntil {
                    try await gateway.store.conversation(message.conversationID)?.messages.last?.deliveryState == "delivered"
                }
                let unknown = harness.signedRequest(
                    channel: "wb", body: WeiboHarness.body(sender: 42, text: "", date: Date(), type: "sticker", data: ["id": "7"]), now: Date())
                #expect(try await gateway.client.request("POST", unknown.path, headers: unknown.headers, body: unknown.body).status == 200)
                let records = try await gateway.store.recordedContacts(RecordQuery(channelID: ChannelID(rawValue: "wb")))
                #expect(records.items.map(\.reason) == [WeiboContactBuilder.unsupported])
                let verify = try await gateway.client.get("/channels/wb/weibo?\(WeiboHarness.query(timestamp: Date()))&echostr=hello")
                #expect(verify.status == 200 && verify.text == "hello")
                let forged = try await gateway.client.get("/channels/wb/weibo?timestamp=1&nonce=2&signature=00&echostr=hello")
                #expect(forged.status == 401 && !forged.text.contains("hello"))
                let metrics = try await gateway.client.get("/metrics").text
                #expect(metrics.contains(#"switchboard_webhook_rejected{channel="wb",reason="bad_signature"} 1"#))
            }
        }
    }
}
