import Foundation
import GRDB
import Testing

@testable import SwitchboardStoreSQLite

/// `DirectStatement` binds and reads past GRDB on the ingest path; these check it stores what
/// GRDB would, fails like GRDB, and hands the cached statement back in a state GRDB can use.
@Suite("Direct statements")
struct DirectStatementTests {
    private func makeDatabase() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL, s TEXT, n INTEGER, b BLOB)")
        }
        return queue
    }

    @Test("awkward values round-trip exactly: empty, embedded NUL, non-ASCII, NULL, large integers, blobs")
    func roundTrip() throws {
        let queue = try makeDatabase()
        let texts = ["", "a\u{0}b", "退款 ✓ 𝄞", String(repeating: "x", count: 100_000)]
        let blobs = [Data(), Data([0, 1, 2, 255]), Data(repeating: 7, count: 70_000)]
        try queue.write { db in
            for (index, text) in texts.enumerated() {
                try DirectStatement(
                    db, sql: "INSERT INTO t (k, s, n, b) VALUES (?, ?, ?, ?)", .text("t\(index)"), .text(text),
                    .integer(Int64.min + Int64(index)), .blob(blobs[index % blobs.count])
                ).execute()
            }
            try DirectStatement(db, sql: "INSERT INTO t (k, s, n, b) VALUES (?, ?, ?, ?)", .text("null"), .text(nil), .null, .null)
                .execute()
        }
        try queue.read { db in
            for (index, text) in texts.enumerated() {
                // The text's bytes, all of them (GRDB's own String reading stops at a NUL; ingest refuses NULs anyway).
                let row = try #require(
                    try Row.fetchOne(
                        db, sql: "SELECT CAST(s AS BLOB), n, b, typeof(s) FROM t WHERE k = ?", arguments: ["t\(index)"]))
                #expect((row[0] as Data?) ?? Data() == Data(text.utf8))
                #expect(row[3] as String == "text")
                #expect(row[1] as Int64 == Int64.min + Int64(index))
                #expect(row[2] as Data == blobs[index % blobs.count])
                // And read back through the direct path.
                let direct = try DirectStatement(db, sql: "SELECT s, n FROM t WHERE k = ?", .text("t\(index)"))
                #expect(try direct.step())
                #expect(direct.text(0) == text)
                #expect(direct.integer(1) == Int64.min + Int64(index))
                #expect(try direct.step() == false)
            }
            let null = try DirectStatement(db, sql: "SELECT s, n FROM t WHERE k = ?", .text("null"))
            #expect(try null.step())
            #expect(null.text(0) == nil)
            let none = try DirectStatement(db, sql: "SELECT s FROM t WHERE k = ?", .text("missing"))
            #expect(try none.step() == false)
        }
    }

    @Test("a constraint violation throws GRDB's error, and the statement works again afterwards")
    func failures() throws {
        let queue = try makeDatabase()
        try queue.write { db in
            let sql = "INSERT INTO t (k, s) VALUES (?, ?)"
            try DirectStatement(db, sql: sql, .text("same"), .text("first")).execute()
            #expect {
                try DirectStatement(db, sql: sql, .text("same"), .text("second")).execute()
            } throws: { error in
                guard let error = error as? DatabaseError else { return false }
                return error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY && error.sql == sql
            }
            try DirectStatement(db, sql: sql, .text("other"), .text("third")).execute()
            // Fewer values than parameters: the rest are NULL, as on a fresh statement, not the last use's values.
            try DirectStatement(db, sql: sql, .text("short")).execute()
            // GRDB can use the same cached statement after the direct uses.
            try db.cachedStatement(sql: sql).execute(arguments: ["grdb", "fourth"])
            try DirectStatement(db, sql: sql, .text("again"), .text("fifth")).execute()
        }
        let stored = try queue.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT k, s FROM t").map { ($0[0] as String, $0[1] as String?) })
        }
        #expect(stored == ["same": "first", "other": "third", "short": nil, "grdb": "fourth", "again": "fifth"])
    }
}
