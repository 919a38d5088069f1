import Foundation
import Logging
import Metrics
import ServiceLifecycle
import SwitchboardCore
import SwitchboardStore
import SwitchboardStoreSQLite
import SwitchboardTesting
import Testing

func temporaryDatabasePath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("sb-\(UUID().uuidString)/switchboard.sqlite").path
}

@Suite("SQLite store conformance")
struct SQLiteStoreConformanceTests {
    @Test(arguments: StoreConformance.checkNames)
    func conformance(_ check: String) async throws {
        try await StoreConformance(makeStore: { try SQLiteStore(configuration: .init(path: temporaryDatabasePath())) }).run(check)
    }
}

@Suite("SQLite store specifics")
struct SQLiteStoreTests {
    @Test("WAL with synchronous=FULL by default; NORMAL when configured")
    func durabilitySettings() async throws {
        let store = try SQLiteStore(configuration: .init(path: temporaryDatabasePath()))
        try await store.migrate()
        #expect(try await store.journalMode() == "wal")
        #expect(try await store.synchronousLevel() == 2)
        try await store.close()
        let normal = try SQLiteStore(configuration: .init(path: temporaryDatabasePath(), synchronous: .normal))
        #expect(try await normal.synchronousLevel() == 1)
        try await normal.close()
    }

    @Test("the Ingestor's group commit over SQLite stores every contact exactly once")
    func groupCommitOverSQLite() async throws {
        let path = temporaryDatabasePath()
        let store = try SQLiteStore(configuration: .init(path: path))
        try await store.migrate()
        let blobs = try FileBlobStore(root: URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("blobs"))
        let ingestor = Ingestor(
            committer: store, blobs: blobs, logger: Logger(label: "test"), metricsFactory: NOOPMetricsHandler.instance)
        let group = ServiceGroup(services: [ingestor], logger: Logger(label: "test"))
        let runner = Task { try await group.run() }
        // 400 contacts from 40 visitors, each delivered twice, all at once.
        let receipts = try await withThrowingTaskGroup(of: IngestReceipt.self) { tasks in
            for index in 0..<800 {
                tasks.addTask {
                    try await ingestor.ingest(Fixtures.contact(externalID: "m-\(index % 400)", visitor: "v\(index % 40)"))
                }
            }
            return try await tasks.reduce(into: []) { $0.append($1) }
        }
        await group.triggerGracefulShutdown()
        try await runner.value
        #expect(receipts.filter { !$0.duplicate }.count == 400)
        #expect(Set(receipts.map(\.messageID)).count == 400)
        let stats = try await store.statistics()
        #expect(stats.messages == 400 && stats.customers == 40 && stats.conversations == 40)
        #expect(try await store.integrityCheck() == "ok")
        try await store.close()
    }
}
