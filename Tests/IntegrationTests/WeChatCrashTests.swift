import Foundation
import SwitchboardCore
import SwitchboardStoreSQLite
import SwitchboardTesting
import SwitchboardWeChat
import Synchronization
import Testing

/// kill -9 while WeChat pushes arrive in safe mode, restart, then WeChat's retries: every push
/// we answered `success` to survives once, and after the retries every push is stored once.
@Suite("WeChat crash and restart", .serialized)
struct WeChatCrashTests {
    static let total = 3_000
    static let clients = 32
    static let followers = 300
    static let token = "CrashToken2026"
    static let key = "kF8sQ2vLx4Tn7Wp1Zc9Rb3Hd6Jm0Ye5Ua2Gi8Ko4Nq7"
    static let appID = "wx5c2e8f1a9b3d7e60"

    /// Sends pushes from a shared queue, each freshly encrypted and signed as WeChat would.
    final class Load: Sendable {
        let next = Mutex(0)
        let acknowledged = Mutex(Set<Int>())
        let ids: [Int]
        let cipher = WeChatCrypto(encodingAESKey: WeChatCrashTests.key, appID: WeChatCrashTests.appID)

        init(ids: [Int]) { self.ids = ids }

        func take() -> Int? {
            next.withLock { index in
                guard index < ids.count else { return nil }
                defer { index += 1 }
                return ids[index]
            }
        }

        static func msgID(_ id: Int) -> String { String(24_000_000_000_000_000 + id) }

        func request(_ id: Int) -> (path: String, body: Data) {
            let now = Int(Date().timeIntervalSince1970)
            let xml = "<xml><ToUserName><![CDATA[gh_3f2a1b0c9d8e]]></ToUserName><FromUserName><![CDATA[oCrash\(id % WeChatCrashTests.followers)]]></FromUserName>"
                + "<CreateTime>\(now)</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[消息 \(id)]]></Content>"
                + "<MsgId>\(Self.msgID(id))</MsgId></xml>"
            let random = Array(String(format: "%016x", UInt64.random(in: 0...UInt64.max)).utf8)
            let encrypt = cipher?.encrypt(Array(xml.utf8), random: random) ?? ""
            let stamp = String(now)
            let nonce = String(UInt32.random(in: 1...UInt32.max))
            let signature = WeChatSignature.compute([WeChatCrashTests.token, stamp, nonce])
            let messageSignature = WeChatSignature.compute([WeChatCrashTests.token, stamp, nonce, encrypt])
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
                            if response.status == 200 && response.text == "success" {
                                _ = self.acknowledged.withLock { $0.insert(id) }
                            }
                        }
                    }
                }
            }
            await client.shutdown()
        }
    }

    @Test("kill -9 under concurrent safe-mode pushes: acknowledged pushes survive once; WeChat's retries converge to all once")
    func killDuringPushes() async throws {
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
            """.write(to: config, atomically: true, encoding: .utf8)
        let port = try await freeLoopbackPort()
        let probe = TestHTTPClient(port: port)
        let first = try GatewayProcess(dataDirectory: data, port: port, configFile: config.path)
        try await first.waitUntilReady(client: probe)

        let load = Load(ids: Array(0..<Self.total))
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
        for id in acknowledged.sorted()
        where try await store.message(channelID: ChannelID(rawValue: "wx"), externalID: Load.msgID(id)) == nil {
            missing.append(id)
        }
        #expect(missing.isEmpty, "answered success but lost after kill -9: \(missing.prefix(20))")

        // WeChat retries what it got no answer for — and, when an answer was lost on the way,
        // what we did acknowledge: send everything again.
        let retry = Load(ids: Array(0..<Self.total))
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
