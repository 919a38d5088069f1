import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting
import SwitchboardWeChat
import SwitchboardXML
import Testing

/// The channel in a real gateway over HTTP: the corpus vectors, redelivery, the passive welcome
/// reply and the rejection metrics.
@Suite("WeChat channel in the gateway")
struct WeChatGatewayTests {
    static let channel = "wx"

    static func config(_ extra: [String: ConfigValue] = [:]) -> [String: ConfigValue] {
        var values: [String: ConfigValue] = [
            "id": .string(channel), "type": .string("wechat"), "token": .string(WeChatVector.token),
            "encodingAESKey": .string(WeChatVector.encodingAESKey), "appID": .string(WeChatVector.appID),
            "securityMode": .string("compatible"), "timestampToleranceSeconds": .int(0),
        ]
        values.merge(extra) { _, new in new }
        return values
    }

    func send(_ gateway: TestGateway, _ vector: WeChatVector) async throws -> TestHTTPClient.Response {
        let request = try #require(vector.request)
        return try await gateway.client.request(
            request.method, vector.path(channel: Self.channel), headers: [(name: "Content-Type", value: "text/xml")],
            body: request.body.map { Data($0.utf8) })
    }

    func recordCount(_ gateway: TestGateway) async throws -> Int {
        try await gateway.store.recordedContacts(RecordQuery(channelID: ChannelID(rawValue: Self.channel), limit: 500)).items.count
    }

    @Test("every vector over HTTP: accepted pushes stored once and answered success, refused ones store nothing and are counted")
    func vectors() async throws {
        let gateway = try await TestGateway.start(channels: [Self.config()], factories: [WeChatAdapterFactory()])
        try await gateway.use { gateway in
            var rejected: [String: Int] = [:]
            for vector in WeChatVector.all where vector.request != nil {
                let before = (try await gateway.store.statistics(), try await recordCount(gateway))
                let response = try await send(gateway, vector)
                let after = (try await gateway.store.statistics(), try await recordCount(gateway))
                switch vector.expect.outcome {
                case "accept" where vector.kind == "url_verification":
                    #expect(response.status == 200, "\(vector.file)")
                    #expect(response.text == vector.expect.responseBody, "\(vector.file)")
                case "accept":
                    #expect(response.status == 200 && response.text == "success", "\(vector.file): \(response.status) \(response.text)")
                    let message = try #require(vector.expect.message)
                    if message.type == "event" {
                        #expect(after.1 == before.1 + 1, "\(vector.file) recorded once")
                        #expect(after.0 == before.0, "\(vector.file) opens nothing")
                    } else {
                        let id = String(message.dedupeKey.dropFirst("MsgId:".count))
                        let stored = try await gateway.store.message(channelID: ChannelID(rawValue: Self.channel), externalID: id)
                        #expect(stored != nil, "\(vector.file) stored")
                        #expect(after.0.messages == before.0.messages + 1, "\(vector.file)")
                        if message.type == "text" { #expect(stored?.text == message.fields["Content"] ?? nil) }
                    }
                    // WeChat's retry: the same answer, nothing more stored.
                    let again = try await send(gateway, vector)
                    #expect(again.status == 200 && again.text == "success", "\(vector.file) redelivered")
                    #expect(try await gateway.store.statistics() == after.0)
                    #expect(try await recordCount(gateway) == after.1)
                default:
                    #expect((400..<500).contains(response.status), "\(vector.file): \(response.status)")
                    #expect(!response.text.contains("echo"), "\(vector.file)")
                    if let echo = vector.request?.query["echostr"] { #expect(!response.text.contains(echo)) }
                    #expect(after.0 == before.0 && after.1 == before.1, "\(vector.file) stores nothing")
                    let reason = vector.expect.reason == "bad_msg_signature" ? "bad_signature" : vector.expect.reason ?? "?"
                    rejected[reason, default: 0] += 1
                }
            }
            let metrics = try await gateway.client.get("/metrics").text
            for (reason, count) in rejected {
                #expect(
                    metrics.contains(#"switchboard_webhook_rejected{channel="wx",reason="\#(reason)"} \#(count)"#),
                    "metric for \(reason)")
            }
        }
    }

    @Test("a subscribe is answered with the welcome reply, encrypted in safe mode, and the reply decrypts")
    func welcomeReply() async throws {
        let gateway = try await TestGateway.start(
            channels: [Self.config(["subscribeReply": .string("欢迎关注！回复 1 转人工")])], factories: [WeChatAdapterFactory()])
        try await gateway.use { gateway in
            let safe = try WeChatVector.load("18-safe-event-subscribe.json")
            let response = try await send(gateway, safe)
            #expect(response.status == 200)
            let envelope = try StrictXML.parse(response.body)
            let encrypt = try #require(envelope.childText("Encrypt"))
            let timestamp = try #require(envelope.childText("TimeStamp"))
            let nonce = try #require(envelope.childText("Nonce"))
            #expect(envelope.childText("MsgSignature") == WeChatSignature.compute([WeChatVector.token, timestamp, nonce, encrypt]))
            let cipher = try #require(WeChatCrypto(encodingAESKey: WeChatVector.encodingAESKey, appID: WeChatVector.appID))
            let reply = try StrictXML.parse(Data(try cipher.decrypt(encrypt).get()))
            #expect(reply.childText("Content") == "欢迎关注！回复 1 转人工")
            #expect(reply.childText("ToUserName") == safe.expect.message?.fields["FromUserName"] ?? nil)
            #expect(reply.childText("MsgType") == "text")
            // The plaintext subscribe gets it unencrypted; an unsubscribe gets nothing but success.
            let plain = try await send(gateway, try WeChatVector.load("09-plain-event-subscribe.json"))
            #expect(try StrictXML.parse(plain.body).childText("Content") == "欢迎关注！回复 1 转人工")
            let gone = try await send(gateway, try WeChatVector.load("10-plain-event-unsubscribe.json"))
            #expect(gone.text == "success")
        }
    }

    @Test("a push the model refuses is kept as unreadable with its XML and answered success, so WeChat stops retrying")
    func unreadableIsKept() async throws {
        let gateway = try await TestGateway.start(channels: [Self.config()], factories: [WeChatAdapterFactory()])
        try await gateway.use { gateway in
            // A sender id longer than any handle may be: authentic, but not a customer the model can hold.
            let sender = String(repeating: "o", count: 600)
            let request = WeChatHarness().contactRequest(
                channel: Self.channel, externalID: "990001", sender: sender, text: "hello", now: Date())
            let response = try await gateway.client.request("POST", request.path, headers: request.headers, body: request.body)
            #expect(response.status == 200 && response.text == "success", "\(response.status) \(response.text.prefix(200))")
            let records = try await gateway.store.recordedContacts(RecordQuery(channelID: ChannelID(rawValue: Self.channel), reason: .unreadable))
            let record = try #require(records.items.first)
            #expect(record.externalID == "990001")
            let raw = try #require(try await gateway.store.rawPayload(record.id))
            #expect(String(decoding: raw.bytes, as: UTF8.self).contains(sender))
            #expect(record.detail.contains("sender"))
            #expect(try await gateway.store.statistics().messages == 0)
        }
    }
}
