import Foundation
import GRDB
import GRDBSQLite

/// SQLite's "copy the bytes now" destructor (a C macro, so not imported).
private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// A value bound straight to SQLite by ``DirectStatement``.
enum DirectValue {
    case text(String)
    case integer(Int64)
    case blob(Data)
    case null

    static func text(_ value: String?) -> DirectValue { value.map { .text($0) } ?? .null }
}

/// Runs a GRDB cached statement through SQLite's C API: arguments bound directly, rows read by
/// column, no `StatementArguments` or `DatabaseValue` in between.
///
/// Why it exists: the per-contact statements of the ingest transaction run on the single writer
/// that every durable contact waits for, and GRDB's generic argument handling was a measured share
/// of that writer's time (see the README's performance section). Only that transaction uses it;
/// everything else goes through GRDB. The statement stays GRDB's (prepared, cached and finalized
/// by GRDB); each use here binds every parameter, and leaves the statement reset with its
/// bindings cleared, so GRDB finds it as it left it.
///
/// One use of a given SQL at a time: a second `DirectStatement` for the same SQL resets the first
/// (they share GRDB's cached statement). Not for statements that GRDB's observation features
/// watch: none are registered in this store.
struct DirectStatement: ~Copyable {
    private let statement: Statement
    private let handle: OpaquePointer
    /// A value SQLite refused to bind, thrown by the first `execute` or `step`.
    private var bindingError: DatabaseError?

    /// The cached statement for `sql` with `values` bound.
    init(_ db: Database, sql: String, _ values: DirectValue...) throws {
        statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let code = bind(value, at: Int32(offset + 1))
            if code != SQLITE_OK {
                bindingError = error(code)
                break
            }
        }
    }

    deinit {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    private func bind(_ value: DirectValue, at index: Int32) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(handle, index)
        case .integer(let number):
            return sqlite3_bind_int64(handle, index, number)
        case .text(var text):
            return text.withUTF8 { bytes in
                // An empty buffer may have no address; SQLite would read that as NULL.
                guard let base = bytes.baseAddress, !bytes.isEmpty else {
                    return sqlite3_bind_text(handle, index, "", 0, transient)
                }
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    sqlite3_bind_text(handle, index, $0, Int32(bytes.count), transient)
                }
            }
        case .blob(let data):
            return data.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_zeroblob(handle, index, 0) }
                return sqlite3_bind_blob(handle, index, base, Int32(bytes.count), transient)
            }
        }
    }

    /// Runs an `INSERT`/`UPDATE` to completion.
    func execute() throws {
        if let bindingError { throw bindingError }
        var code = sqlite3_step(handle)
        while code == SQLITE_ROW { code = sqlite3_step(handle) }
        guard code == SQLITE_DONE else { throw error(code) }
    }

    /// Steps to the next row: `true` with a row to read, `false` when there is none.
    func step() throws -> Bool {
        if let bindingError { throw bindingError }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw error(code)
        }
    }

    /// The text of `column` in the current row, `nil` for NULL.
    func text(_ column: Int32) -> String? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL, let bytes = sqlite3_column_text(handle, column) else {
            return nil
        }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The integer of `column` in the current row (0 for NULL).
    func integer(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    private func error(_ code: Int32) -> DatabaseError {
        let connection = sqlite3_db_handle(handle)
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: extended), message: message, sql: statement.sql)
    }
}
