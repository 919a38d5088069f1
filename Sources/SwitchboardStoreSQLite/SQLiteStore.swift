import Foundation
import GRDB
import Logging
import SwitchboardCore
import SwitchboardStore

/// The embedded default store: one SQLite database in WAL mode through GRDB.
///
/// Writes go through GRDB's single writer (no `SQLITE_BUSY` among our own writers); reads run
/// concurrently from a reader pool. By default `synchronous=FULL`, so a transaction that returned
/// is on disk and an acknowledged contact survives power loss (RELIABILITY.md #6). `NORMAL` is
/// faster on slow disks but may lose the last transactions on power loss — it is offered as a
/// documented choice, never a default.
public final class SQLiteStore: GatewayStore {
    /// How the database file is opened.
    public struct Configuration: Sendable {
        /// Path of the database file; its directory is created if missing.
        public var path: String
        /// `PRAGMA synchronous`: `.full` (default) or `.normal`.
        public var synchronous: Synchronous
        /// How long a writer from another process (e.g. `switchboard token create` while serving)
        /// waits for the lock before failing. Default 5 s.
        public var busyTimeout: TimeInterval

        public enum Synchronous: String, Sendable, CaseIterable {
            case full = "FULL"
            case normal = "NORMAL"
        }

        public init(path: String, synchronous: Synchronous = .full, busyTimeout: TimeInterval = 5) {
            self.path = path
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
        }
    }

    let pool: DatabasePool
    public let configuration: Configuration

    public init(configuration: Configuration) throws {
        self.configuration = configuration
        let directory = URL(fileURLWithPath: configuration.path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var grdb = GRDB.Configuration()
        grdb.busyMode = .timeout(configuration.busyTimeout)
        grdb.maximumReaderCount = 4
        self.pool = try DatabasePool(path: configuration.path, configuration: grdb)
        // GRDB sets synchronous=NORMAL when it enables WAL on the writer connection; set the
        // configured level afterwards, on that single writer connection, which keeps it.
        let synchronous = configuration.synchronous.rawValue
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
    }

    public func migrate() async throws {
        try Self.migrator.migrate(pool)
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func close() async throws {
        try pool.close()
    }

    public func statistics() async throws -> StoreStatistics {
        try await pool.read { db in
            func count(_ table: String) throws -> Int { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
            return StoreStatistics(
                customers: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customers WHERE merged_into IS NULL") ?? 0,
                conversations: try count("conversations"), messages: try count("messages"), ratings: try count("ratings"),
                outboxEntries: try count("outbox"))
        }
    }

    /// Runs `PRAGMA integrity_check` and returns its verdict (`ok` when the file is sound).
    public func integrityCheck() async throws -> String {
        try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }

    /// The `PRAGMA synchronous` level in force (2 = FULL, 1 = NORMAL), for tests and diagnostics.
    public func synchronousLevel() async throws -> Int {
        try await pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// The journal mode in force (`wal`).
    public func journalMode() async throws -> String {
        try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}
