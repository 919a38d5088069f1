import Foundation
import GRDB
import SwitchboardStore

extension SQLiteStore {
    public func createToken(_ token: StoredToken) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO api_tokens (id, hash, scope, name, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [token.id, token.hash, token.scope.rawValue, token.name, SQLiteCoding.millis(token.createdAt)])
        }
    }

    public func token(hash: String) async throws -> StoredToken? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT id, hash, scope, name, created_at FROM api_tokens WHERE hash = ? AND revoked_at IS NULL",
                arguments: [hash])
            else { return nil }
            guard let scope = TokenScope(rawValue: row[2]) else { return nil }
            return StoredToken(id: row[0], hash: row[1], scope: scope, name: row[3], createdAt: SQLiteCoding.date(row[4]))
        }
    }
}
