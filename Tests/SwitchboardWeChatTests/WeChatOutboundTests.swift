import Foundation
import Logging
import Metrics
import Synchronization
import SwitchboardCore
import SwitchboardTesting
import SwitchboardWeChat
import Testing

/// Agent replies through the customer-service message API, against the loopback fake of it.
@Suite("WeChat replies through the customer-service API")
struct WeChatOutboundTests {
    static let openID = "oAbC1xYz2_9kLmNoPqRsTuVwXy3Z"

    func adapter(_ api: FakeWeChatAPI) -> WeChatAdapter {
        WeChatAdapter(
            id: ChannelID(rawValue: "wx"),
            configuration: WeChatConfiguration(
                token: WeChatVector.token, encodingAESKey: WeChatVector.encodingAESKey, appID: FakeWeChatAPI.appID,
                appSecret: FakeWeChatAPI.appSecret, apiBaseURL: URL(string: api.baseURL), apiTimeout: 5),
            environment: ChannelEnvironment(sink: RecordingSink(), logger: Logger(label: "test"), metricsFactory: NOOPMetricsHandler.instance))
    }

    func delivery(
        id: Int64 = 1, text: String? = "您好，已为您查询：明天送达。", attachments: [OutboundAttachment] = [],
        lastMessage: Date? = Date().addingTimeInterval(-3600), recipient: String? = nil, links: [LinkCard] = []
    ) -> OutboundDelivery {
        OutboundDelivery(
            deliveryID: id, attempt: 1,
            message: OutboundMessage(
                conversationID: ConversationID("c1"), conversationNumber: 1, messageID: MessageID("m\(id)"),
                recipient: Handle(kind: "wechat-openid", value: recipient ?? "\(FakeWeChatAPI.appID):\(Self.openID)"),
                author: "agent", text: text, html: nil, attachments: attachments.map(\.attachment), createdAt: Date(),
                customerLastMessageAt: lastMessage, links: links),
            attachments: attachments)
    }

    func attachment(_ name: String, _ type: String, bytes: Int = 64) -> OutboundAttachment {
        let data = Data((0..<bytes).map { UInt8(truncatingIfNeeded: $0) })
        return OutboundAttachment(
            attachment: Attachment(sha256: Attachment.digest(of: data), size: data.count, name: name, contentType: type), data: data)
    }

    func withAPI(tokenDelay: Duration = .zero, _ body: (FakeWeChatAPI, WeChatAdapter) async throws -> Void) async throws {
        let api = FakeWeChatAPI(tokenDelay: tokenDelay)
        try await api.start()
        let adapter = adapter(api)
        do {
            try await body(api, adapter)
        } catch {
            await adapter.shutdown()
            await api.stop()
            throw error
        }
        await adapter.shutdown()
        await api.stop()
    }

    @Test("a text reply is sent as the documented JSON with a fetched token")
    func text() async throws {
        try await withAPI { api, adapter in
            try await adapter.send(delivery())
            let sent = try #require(api.sent.first)
            let json = try #require(try JSONSerialization.jsonObject(with: sent.json) as? [String: Any])
            #expect(json["touser"] as? String == Self.openID)
            #expect(json["msgtype"] as? String == "text")
            #expect((json["text"] as? [String: String])?["content"] == "您好，已为您查询：明天送达。")
            #expect(sent.token == "TOKEN-1")
            #expect(api.tokenFetches == 1)
            try await adapter.send(delivery(id: 2))
            #expect(api.tokenFetches == 1, "the token is cached")
        }
    }

    @Test("concurrent deliveries share one token fetch")
    func singleFlight() async throws {
        try await withAPI(tokenDelay: .milliseconds(300)) { api, adapter in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in 1...20 { group.addTask { try await adapter.send(self.delivery(id: Int64(id))) } }
                try await group.waitForAll()
            }
            #expect(api.sent.count == 20)
            #expect(api.tokenFetches == 1)
        }
    }

    @Test("an expired or invalid token is refreshed once and the send goes through")
    func tokenRefresh() async throws {
        try await withAPI { api, adapter in
            try await adapter.send(delivery(id: 1))
            api.expireToken()
            try await adapter.send(delivery(id: 2))
            #expect(api.tokenFetches == 2)
            #expect(api.sent.map(\.token) == ["TOKEN-1", "TOKEN-2"])
        }
    }

    @Test("a token is refreshed ahead of its expiry, and a rejected one is replaced")
    func refreshBeforeExpiry() async throws {
        let counter = Mutex(0)
        let cache = WeChatAccessTokenCache { () async throws(DeliveryError) in
            let number = counter.withLock { value -> Int in
                value += 1
                return value
            }
            return .init(token: "T\(number)", lifetime: .milliseconds(400))
        }
        #expect(try await cache.token() == "T1")
        #expect(try await cache.token() == "T1")
        // Refreshed at half of a short lifetime, before WeChat would expire it.
        try await Task.sleep(for: .milliseconds(250))
        #expect(try await cache.token() == "T2")
        await cache.invalidate("T1")  // a stale rejection does not drop the newer token
        #expect(try await cache.token() == "T2")
        await cache.invalidate("T2")
        #expect(try await cache.token() == "T3")
        #expect(await cache.fetches == 3)
    }

    @Test(
        "permanent error codes fail the reply with WeChat's code and message",
        arguments: [(45015, "response out of time limit"), (43004, "require subscribe"), (40003, "invalid openid"), (45047, "out of limit")])
    func permanent(_ code: Int, _ message: String) async throws {
        try await withAPI { api, adapter in
            api.script([(code, message)])
            await #expect {
                try await adapter.send(delivery())
            } throws: { error in
                guard let error = error as? DeliveryError else { return false }
                return !error.isRetryable && error.reason.contains("errcode \(code): \(message)")
            }
        }
    }

    @Test("system busy and rate limits are retried", arguments: [-1, 45009, 45011])
    func transient(_ code: Int) async throws {
        try await withAPI { api, adapter in
            api.script([(code, "busy")])
            await #expect {
                try await adapter.send(delivery())
            } throws: { ($0 as? DeliveryError)?.isRetryable == true }
            try await adapter.send(delivery())
            #expect(api.sent.count == 1)
        }
    }

    @Test("an unreachable API is retried")
    func unreachable() async throws {
        let port = try await freeLoopbackPort()
        let adapter = WeChatAdapter(
            id: ChannelID(rawValue: "wx"),
            configuration: WeChatConfiguration(
                token: WeChatVector.token, encodingAESKey: nil, appID: FakeWeChatAPI.appID, appSecret: FakeWeChatAPI.appSecret,
                apiBaseURL: URL(string: "http://127.0.0.1:\(port)"), apiTimeout: 2),
            environment: ChannelEnvironment(sink: RecordingSink(), logger: Logger(label: "test"), metricsFactory: NOOPMetricsHandler.instance))
        await #expect {
            try await adapter.send(delivery())
        } throws: { ($0 as? DeliveryError)?.isRetryable == true }
        await adapter.shutdown()
    }

    @Test("outside the 48-hour window nothing is sent and the reply fails")
    func replyWindow() async throws {
        try await withAPI { api, adapter in
            await #expect {
                try await adapter.send(delivery(lastMessage: Date().addingTimeInterval(-48 * 3600 - 60)))
            } throws: { error in
                guard let error = error as? DeliveryError else { return false }
                return !error.isRetryable && error.reason.contains("48 hours")
            }
            #expect(api.sent.isEmpty)
            #expect(api.tokenFetches == 0)
        }
    }

    @Test("images and voice are uploaded and sent after the text; other files fail before anything is sent")
    func media() async throws {
        try await withAPI { api, adapter in
            try await adapter.send(delivery(attachments: [attachment("a.png", "image/png"), attachment("v.amr", "audio/amr")]))
            #expect(api.uploads.map(\.type) == ["image", "voice"])
            #expect(api.uploads.allSatisfy { $0.contentType.hasPrefix("multipart/form-data; boundary=") })
            #expect(api.sent.map { $0.body["msgtype"] as? String } == ["text", "image", "voice"])
            #expect(String(data: api.sent[1].json, encoding: .utf8)?.contains(#""media_id":"MEDIA-1""#) == true)
            await #expect {
                try await adapter.send(delivery(id: 9, attachments: [attachment("contract.pdf", "application/pdf")]))
            } throws: { ($0 as? DeliveryError)?.isRetryable == false }
            #expect(api.sent.count == 3)
        }
    }

    @Test("a retry after a partial send continues where it stopped")
    func partialSend() async throws {
        try await withAPI { api, adapter in
            let reply = delivery(id: 7, attachments: [attachment("a.png", "image/png")])
            // The text goes out; the image send meets a rate limit.
            api.script([(45009, "api freq out of limit")], after: 1)
            await #expect {
                try await adapter.send(reply)
            } throws: { ($0 as? DeliveryError)?.isRetryable == true }
            try await adapter.send(reply)
            let messages = api.sent.map { $0.body["msgtype"] as? String }
            #expect(messages == ["text", "image"], "the text was sent once")
        }
    }

    @Test("link cards go out as one news message each, after the text and before the pictures")
    func news() async throws {
        try await withAPI { api, adapter in
            let cards = [
                LinkCard(url: "https://help.example.com/returns?a=1&b=2", title: "退货流程", description: "七天无理由退货", imageURL: "https://img.example.com/r.jpg"),
                LinkCard(url: "https://help.example.com/track", title: "查询物流"),
            ]
            try await adapter.send(delivery(id: 11, attachments: [attachment("a.png", "image/png")], links: cards))
            #expect(api.sent.map { $0.body["msgtype"] as? String } == ["text", "news", "news", "image"])
            let first = try #require(try JSONSerialization.jsonObject(with: api.sent[1].json) as? [String: Any])
            let articles = try #require((first["news"] as? [String: Any])?["articles"] as? [[String: String]])
            #expect(articles == [["title": "退货流程", "description": "七天无理由退货", "url": "https://help.example.com/returns?a=1&b=2", "picurl": "https://img.example.com/r.jpg"]])
            let second = try #require(try JSONSerialization.jsonObject(with: api.sent[2].json) as? [String: Any])
            #expect((second["news"] as? [String: Any])?["articles"] as? [[String: String]] == [["title": "查询物流", "url": "https://help.example.com/track"]])
            // Cards alone are a reply too.
            try await adapter.send(delivery(id: 12, text: nil, links: [cards[1]]))
            #expect(api.sent.last?.body["msgtype"] as? String == "news")
        }
    }

    @Test("a recipient of another account is refused")
    func otherAccount() async throws {
        try await withAPI { api, adapter in
            await #expect {
                try await adapter.send(delivery(recipient: "wxother:\(Self.openID)"))
            } throws: { ($0 as? DeliveryError)?.isRetryable == false }
            #expect(api.sent.isEmpty)
        }
    }
}
