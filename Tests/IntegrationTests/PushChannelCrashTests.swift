import Foundation
import SwitchboardCore
import SwitchboardStoreSQLite
import SwitchboardTesting
import SwitchboardWeChat
import SwitchboardWeibo
import Synchronization
import Testing

/// kill -9 while WeChat (safe mode) or Weibo pushes arrive, restart, then the platform's retries:
/// every push we answered survives once, and after the retries every push is stored once.
@Suite("WeChat and Weibo crash and restart", .serialized)
struct PushChannelCrashTests {
    static let total = 3_000
    static let clients = 32
    static let followers = 300
    static let token = "CrashToken2026"
    static let key = "kF8sQ2vLx4Tn7Wp1Zc9Rb3Hd6Jm0Ye5Ua2Gi8Ko4Nq7"
    static let appID = "wx5c2e8f1a9b3d7e60"
    static let weiboSecret = "crash-weibo-secret-0123"

    /// Sends pushes from a shared queue, each freshly encrypted and signed as WeChat would (or,
    /// with `weibo`, signed JSON as Weibo sends it).
    final class Load: Sendable {
        let next = Mutex(0)
        let acknowledged = Mutex(Set<Int>())
        let ids: [Int]
        let weibo: Bool
        let cipher = WeChatCrypto(encodingAESKey: PushChannelCrashTests.key, appID: PushChannelCrashTests.appID)

        init(ids: [Int], weibo: Bool = false) {
            self.ids = ids
            self.weibo = weibo
        }

        func take() -> Int? {
            next.withLock { index in
                guard index < ids.count else { return nil }
                defer { index += 1 }
                return ids[index]
            }
        }

        static func msgID(_ id: Int) -> String { String(24_000_000_000_000_000 + id) }

        /// A Weibo push: no message id, so its time is fixed per id (a retry is the same push).
        func weiboRequest(_ id: Int) -> (path: String, body: Data) {
            let created = "Wed Dec 02 10:00:\(String(format: "%02d", id % 60)) +0800 2026"
            let body = #"{"type":"text","receiver_id":1902538057,"sender_id":\#(7_000_000_000 + id % PushChannelCrashTests.followers),"#
                + #""created_at":"\#(created)","text":"消息 \#(id)","data":{}}"#
            let stamp = String(Int64(Date().timeIntervalSince1970 * 1000))
            let nonce = String(UInt32.random(in: 1...UInt32.max))
            let signature = SortedSHA1Signature.compute([PushChannelCrashTests.weiboSecret, stamp, nonce])
            return ("/channels/wb/weibo?signature=\(signature)&timestamp=\(stamp)&nonce=\(nonce)", Data(body.utf8))
        }

        /// The external id the gateway stores push `id` under.
        func storedID(_ id: Int) -> String {
            guard weibo else { return Self.msgID(id) }
            return (try? WeiboPush(json: weiboRequest(id).body)).map(WeiboContactBuilder.externalID(of:)) ?? ""
        }

        func request(_ id: Int) -> (path: String, body: Data) {
            if weibo { return weiboRequest(id) }
            let now = Int(Date().timeIntervalSince1970)
            let xml = "<xml><ToUserName><![CDATA[gh_3f2a1b0c9d8e]]></ToUserName><FromUserName><![CDATA[oCrash\(id % PushChannelCrashTests.followers)]]></FromUserName>"
                + "<CreateTime>\(now)</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[消息 \(id)]]></Content>"
                + "<MsgId>\(Self.msgID(id))</MsgId></xml>"
            let random = Array(String(format: "%016x", UInt64.random(in: 0...UInt64.max)).utf8)
            let encrypt = cipher?.encrypt(Array(xml.utf8), random: random) ?? ""
            let stamp = String(now)
            let nonce = String(UInt32.random(in: 1...UInt32.max))
            let signature = WeChatSignature.compute([PushChannelCrashTests.token, stamp, nonce])
            let messageSignature = WeChatSignature.compute([PushChannelCrashTests.token, stamp, nonce, encrypt])
            let path = "/channels/wx/wechat?signature=\(signature)&timestamp=\(stamp)&nonce=\(nonce)&openid=o&encrypt_type=aes&msg_signature=\(messageSignature)"
            return (path, Data("<xml><ToUserName><![CDATA[gh_3f2a1b0c9d8e]]></ToUserName><Encrypt><![CDATA[\(encrypt)]]></Encrypt></xml>".utf8))
        }

        func run(port: Int, clients: Int) async {
            let client = TestHTTPClient(port: port)
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<clients {
                    group.addTask {
                        while let id = self.take() {
                            let (path, body) = self.request(id)
                            guard let response = try? await client.request("POST", path, headers: [(name: "Content-Type", value: "text/xml")], body: body)
                            else { break }
                            if response.status == 200 && (self.weibo || response.text == "success") {
                                _ = self.acknowledged.withLock { $0.insert(id) }
                            }
                        }
                    }
                }
            }
            await client.shutdown()
        }
    }

    @Test(
        "kill -9 under concurrent pushes: acknowledged pushes survive once; the platform's retries converge to all once",
        arguments: ["wechat", "weibo"])
    func killDuringPushes(_ platform: String) async throws {
        let weibo = platform == "weibo"
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sb-wechat-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: data) }
        let config = data.appendingPathComponent("switchboard.yaml")
        try """
            channels:
              - id: wx
                type: wechat
                token: \(Self.token)
                encodingAESKey: \(Self.key)
                appID: \(Self.appID)
              - id: wb
                type: weibo
                appKey: "3165728831"
                appSecret: \(Self.weiboSecret)
            """.write(to: config, atomically: true, encoding: .utf8)
        let port = try await freeLoopbackPort()
        let probe = TestHTTPClient(port: port)
        let first = try GatewayProcess(dataDirectory: data, port: port, configFile: config.path)
        try await first.waitUntilReady(client: probe)

        let load = Load(ids: Array(0..<Self.total), weibo: weibo)
        let sender = Task { await load.run(port: port, clients: Self.clients) }
        while load.acknowledged.withLock({ $0.count }) < Self.total / 3 { try await Task.sleep(for: .milliseconds(5)) }
        first.killHard()
        await sender.value
        let acknowledged = load.acknowledged.withLock { $0 }
        #expect(acknowledged.count < Self.total, "the kill must interrupt the load")

        let second = try GatewayProcess(dataDirectory: data, port: port, configFile: config.path)
        try await second.waitUntilReady(client: probe)
        let store = try SQLiteStore(configuration: .init(path: data.appendingPathComponent("switchboard.sqlite").path))
        var missing: [Int] = []
        let channel = ChannelID(rawValue: weibo ? "wb" : "wx")
        for id in acknowledged.sorted()
        where try await store.message(channelID: channel, externalID: load.storedID(id)) == nil {
            missing.append(id)
        }
        #expect(missing.isEmpty, "answered success but lost after kill -9: \(missing.prefix(20))")

        // WeChat retries what it got no answer for — and, when an answer was lost on the way,
        // what we did acknowledge: send everything again.
        let retry = Load(ids: Array(0..<Self.total), weibo: weibo)
        await retry.run(port: port, clients: Self.clients)
        #expect(retry.acknowledged.withLock { $0.count } == Self.total, "every retry is answered success")
        let final = try await store.statistics()
        #expect(final.messages == Self.total, "exactly \(Self.total) messages, got \(final.messages)")
        #expect(final.customers == Self.followers && final.conversations == Self.followers, "one customer and conversation per follower: \(final)")
        #expect(try await store.integrityCheck() == "ok")
        try await store.close()
        #expect(await second.terminate() == 0)
        await probe.shutdown()
    }
}
