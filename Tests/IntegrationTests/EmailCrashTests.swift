import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardStoreSQLite
import SwitchboardTesting
import Testing

/// kill -9 of the gateway in the middle of an IMAP sync, then a restart: every message of the
/// folder ends up stored exactly once, and the checkpoint reaches the last UID. Part of the
/// serialized Dovecot suite, so no other test restarts the server meanwhile.
extension EmailIMAPTests {
    static let crashTotal = 1_500

    @Test("kill -9 mid-sync, restart: no message lost, none stored twice")
    func killMidSync() async throws {
        try await Dovecot.ensureRunning()
        let folder = Dovecot.folder("crash")
        try await Dovecot.tool(["fill", "--folder", folder, "--count", String(Self.crashTotal), Dovecot.corpus.path])
        let uidValidity = try await Dovecot.status(folder).uidValidity
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-mailcrash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: data) }
        let config = data.appendingPathComponent("switchboard.yaml")
        try """
            channels:
              - id: mail
                type: email
                addresses: [support@example.com]
                host: 127.0.0.1
                port: \(Dovecot.plainPort)
                tls: none
                username: agent
                password: secret
                folders: ["\(folder)"]
                fetchBatchSize: 5
            """.write(to: config, atomically: true, encoding: .utf8)
        let port = Int.random(in: 20_000...40_000)
        let database = data.appendingPathComponent("switchboard.sqlite").path

        let client = TestHTTPClient(port: port)
        // Small batches keep the sync going long enough to be interrupted; the database is watched
        // from the first moment (the sync starts with the server, before readiness is noticed).
        let first = try GatewayProcess(dataDirectory: data, port: port, configFile: config.path)
        var opened: SQLiteStore?
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if opened == nil, FileManager.default.fileExists(atPath: database) {
                opened = try? SQLiteStore(configuration: .init(path: database))
            }
            if let reader = opened, let count = try? await Self.stored(reader), count >= 100 { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        first.killHard()
        let reader = try #require(opened)
        let atKill = try await Self.stored(reader)
        print("email crash test: killed mid-sync with \(atKill) of \(Self.crashTotal) stored")
        #expect(atKill >= 100 && atKill < Self.crashTotal, "killed mid-sync with \(atKill) of \(Self.crashTotal) stored")
        func stored() async throws -> Int { try await Self.stored(reader) }

        let second = try GatewayProcess(dataDirectory: data, port: port, configFile: config.path)
        try await second.waitUntilReady(client: client)
        await client.shutdown()
        let finished = try await eventually(timeout: .seconds(120)) { try await stored() == Self.crashTotal }
        let checkpoint = try await reader.checkpoint(channel: ChannelID(rawValue: "mail"), scope: folder)
        try await Task.sleep(for: .seconds(1))
        let final = try await stored()
        _ = await second.terminate()
        try await reader.close()
        #expect(finished && final == Self.crashTotal, "expected exactly \(Self.crashTotal) stored, found \(final)")
        #expect(checkpoint == "\(uidValidity):\(Self.crashTotal)")
    }

    /// Messages plus recorded contacts in a store.
    static func stored(_ reader: SQLiteStore) async throws -> Int {
        let stats = try await reader.statistics()
        let records = try await reader.recordedContacts(RecordQuery(limit: 500)).items.count
        return stats.messages + records
    }
}
