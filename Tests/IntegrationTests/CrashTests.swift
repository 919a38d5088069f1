import Foundation
import SwitchboardCore
import SwitchboardStoreSQLite
import SwitchboardTesting
import SwitchboardWebChat
import Synchronization
import Testing

/// kill -9 in the middle of a load, restart, resend what was not acknowledged: nothing lost,
/// nothing twice (RELIABILITY.md #5).
@Suite("Crash and restart", .serialized)
struct CrashTests {
    static let total = 5_000
    static let clients = 32

    /// Sends message ids from a shared queue; records which ones were acknowledged (2xx).
    final class Load: Sendable {
        let next = Mutex(0)
        let acknowledged = Mutex(Set<Int>())
        let ids: [Int]
        let signature = WebChatSignature(secret: GatewayProcess.secret)

        init(ids: [Int]) { self.ids = ids }

        func take() -> Int? {
            next.withLock { index in
                guard index < ids.count else { return nil }
                defer { index += 1 }
                return ids[index]
            }
        }

        func request(_ id: Int) -> (headers: [(name: String, value: String)], body: Data) {
            let body = Data(#"{"id":"crash-\#(id)","visitor":{"id":"visitor-\#(id % 500)"},"text":"message \#(id)"}"#.utf8)
            let timestamp = Int(Date().timeIntervalSince1970)
            return (
                [
                    (name: WebChatSignature.timestampHeader, value: String(timestamp)),
                    (name: WebChatSignature.signatureHeader, value: signature.sign(body: body, timestamp: timestamp)),
                ], body
            )
        }

        /// Runs `clients` concurrent senders until the queue is empty or the server is gone.
        func run(port: Int, clients: Int) async {
            let client = TestHTTPClient(port: port)
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<clients {
                    group.addTask {
                        while let id = self.take() {
                            let (headers, body) = self.request(id)
                            guard let response = try? await client.request("POST", "/channels/web/messages", headers: headers, body: body)
                            else { break }  // the server is gone: this client stops; its id stays unacknowledged
                            if (200..<300).contains(response.status) {
                                _ = self.acknowledged.withLock { $0.insert(id) }
                            }
                        }
                    }
                }
            }
            await client.shutdown()
        }
    }

    /// A gateway process on a fresh data directory and free port, ready to serve, with a client for it.
    func startGateway(_ name: String) async throws -> (data: URL, port: Int, process: GatewayProcess, probe: TestHTTPClient) {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sb-\(name)-\(UUID().uuidString)")
        let port = try await freeLoopbackPort()
        let process = try GatewayProcess(dataDirectory: data, port: port)
        let probe = TestHTTPClient(port: port)
        try await process.waitUntilReady(client: probe)
        return (data, port, process, probe)
    }

    @Test("kill -9 mid-load: every acknowledged message survives once; resending converges to all 5,000 once")
    func killDuringLoad() async throws {
        let (data, port, first, probe) = try await startGateway("crash")
        defer { try? FileManager.default.removeItem(at: data) }

        let load = Load(ids: Array(0..<Self.total))
        let sender = Task { await load.run(port: port, clients: Self.clients) }
        // Kill once roughly a third has been acknowledged, while 32 requests are in flight.
        while load.acknowledged.withLock({ $0.count }) < Self.total / 3 { try await Task.sleep(for: .milliseconds(5)) }
        first.killHard()
        await sender.value
        let acknowledgedBeforeCrash = load.acknowledged.withLock { $0 }
        #expect(acknowledgedBeforeCrash.count < Self.total, "the kill must interrupt the load")

        // Restart on the same data directory and check every acknowledged message is there once.
        let second = try GatewayProcess(dataDirectory: data, port: port)
        try await second.waitUntilReady(client: probe)
        let store = try SQLiteStore(configuration: .init(path: data.appendingPathComponent("switchboard.sqlite").path))
        var missing: [Int] = []
        for id in acknowledgedBeforeCrash.sorted() {
            if try await store.message(channelID: ChannelID(rawValue: "web"), externalID: "crash-\(id)") == nil { missing.append(id) }
        }
        #expect(missing.isEmpty, "acknowledged but lost after kill -9: \(missing.prefix(20))")
        let afterCrash = try await store.statistics()
        #expect(afterCrash.messages >= acknowledgedBeforeCrash.count)
        #expect(afterCrash.messages <= Self.total)

        // The channel retries everything it did not get an acknowledgement for.
        let unacknowledged = (0..<Self.total).filter { !acknowledgedBeforeCrash.contains($0) }
        let resend = Load(ids: unacknowledged)
        await resend.run(port: port, clients: Self.clients)
        #expect(resend.acknowledged.withLock { $0.count } == unacknowledged.count, "every resend must be acknowledged")

        let final = try await store.statistics()
        #expect(final.messages == Self.total, "exactly \(Self.total) messages, got \(final.messages)")
        #expect(final.conversations == 500 && final.customers == 500, "one customer and conversation per visitor: \(final)")
        var absent = 0
        for id in 0..<Self.total where try await store.message(channelID: ChannelID(rawValue: "web"), externalID: "crash-\(id)") == nil {
            absent += 1
        }
        #expect(absent == 0)
        #expect(try await store.integrityCheck() == "ok")
        try await store.close()

        // SIGTERM drains and exits 0.
        let status = await second.terminate()
        #expect(status == 0, "SIGTERM must exit 0, got \(String(describing: status))")
        await probe.shutdown()
    }

    @Test("SIGTERM while requests are in flight: every acknowledged message is stored, exit 0")
    func gracefulShutdownUnderLoad() async throws {
        let (data, port, gateway, probe) = try await startGateway("term")
        defer { try? FileManager.default.removeItem(at: data) }
        let load = Load(ids: Array(0..<2_000))
        let sender = Task { await load.run(port: port, clients: 16) }
        while load.acknowledged.withLock({ $0.count }) < 300 { try await Task.sleep(for: .milliseconds(5)) }
        let status = await gateway.terminate()
        await sender.value
        #expect(status == 0, "SIGTERM must exit 0, got \(String(describing: status))")
        let store = try SQLiteStore(configuration: .init(path: data.appendingPathComponent("switchboard.sqlite").path))
        for id in load.acknowledged.withLock({ $0 }) {
            let stored = try await store.message(channelID: ChannelID(rawValue: "web"), externalID: "crash-\(id)")
            #expect(stored != nil, "acknowledged message \(id) missing after graceful shutdown")
        }
        try await store.close()
        await probe.shutdown()
    }
}
