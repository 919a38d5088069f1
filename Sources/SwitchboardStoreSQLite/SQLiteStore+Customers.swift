import Foundation
import GRDB
import SwitchboardCore
import SwitchboardStore

extension SQLiteStore {
    public func customer(_ id: CustomerID) async throws -> CustomerDetail? {
        try await pool.read { db in try Self.customerDetail(id.rawValue, db: db) }
    }

    /// The customer, following merges (at most a few hops; a cycle cannot be created by `merge`).
    static func customerDetail(_ id: String, db: Database) throws -> CustomerDetail? {
        var currentID = id
        for _ in 0..<16 {
            guard let row = try Row.fetchOne(
                db,
                sql: "SELECT id, name, attributes, vip_level, created_at, updated_at, merged_into FROM customers WHERE id = ?",
                arguments: [currentID])
            else { return nil }
            if let mergedInto: String = row[6] {
                currentID = mergedInto
                continue
            }
            let handles = try Row.fetchAll(
                db, sql: "SELECT kind, value FROM handles WHERE customer_id = ? ORDER BY created_at, kind, value",
                arguments: [currentID]
            ).map { Handle(kind: $0[0], value: $0[1]) }
            let conversations = try Row.fetchAll(
                db,
                sql: "SELECT \(conversationColumns) FROM conversations WHERE customer_id = ? ORDER BY number DESC LIMIT 200",
                arguments: [currentID]
            ).map(conversation(from:))
            let customer = Customer(
                id: CustomerID(currentID), name: row[1],
                handles: handles, attributes: SQLiteCoding.decode([String: String].self, from: row[2], default: [:]),
                vipLevel: row[3], createdAt: SQLiteCoding.date(row[4]), updatedAt: SQLiteCoding.date(row[5]))
            return CustomerDetail(customer: customer, conversations: conversations)
        }
        return nil
    }

    public func merge(_ source: CustomerID, into target: CustomerID, at time: Date) async throws -> CustomerDetail {
        try await pool.write { db in
            guard source != target else { throw StoreError.conflict("cannot merge a customer into itself") }
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, merged_into, attributes, name, vip_level FROM customers WHERE id IN (?, ?)",
                arguments: [source.rawValue, target.rawValue])
            guard let sourceRow = rows.first(where: { $0[0] == source.rawValue }) else {
                throw StoreError.notFound("customer \(source)")
            }
            guard let targetRow = rows.first(where: { $0[0] == target.rawValue }) else {
                throw StoreError.notFound("customer \(target)")
            }
            guard (sourceRow[1] as String?) == nil else { throw StoreError.conflict("customer \(source) is already merged") }
            guard (targetRow[1] as String?) == nil else {
                throw StoreError.conflict("customer \(target) was merged into another customer; merge into that one")
            }
            let now = SQLiteCoding.millis(time)
            var attributes = SQLiteCoding.decode([String: String].self, from: sourceRow[2], default: [:])
            attributes.merge(SQLiteCoding.decode([String: String].self, from: targetRow[2], default: [:])) { _, mine in mine }
            let name: String? = (targetRow[3] as String?) ?? (sourceRow[3] as String?)
            let vip = max(targetRow[4] as Int, sourceRow[4] as Int)
            try db.execute(
                sql: "UPDATE customers SET attributes = ?, name = ?, vip_level = ?, updated_at = ? WHERE id = ?",
                arguments: [try SQLiteCoding.json(attributes), name, vip, now, target.rawValue])
            for table in ["handles", "conversations", "ratings"] {
                try db.execute(
                    sql: "UPDATE \(table) SET customer_id = ? WHERE customer_id = ?",
                    arguments: [target.rawValue, source.rawValue])
            }
            try db.execute(
                sql: "UPDATE customers SET merged_into = ?, updated_at = ? WHERE id = ?",
                arguments: [target.rawValue, now, source.rawValue])
            try db.execute(
                sql: """
                    INSERT INTO outbox (topic, state, payload, created_at) VALUES ('customer.merged', 'event', ?, ?)
                    """,
                arguments: [try SQLiteCoding.json(object: ["source": source.rawValue, "target": target.rawValue]), now])
            guard let detail = try Self.customerDetail(target.rawValue, db: db) else {
                throw StoreError.notFound("customer \(target)")
            }
            return detail
        }
    }

    public func updateCustomer(_ id: CustomerID, _ change: CustomerChange, at time: Date) async throws -> CustomerDetail {
        try await pool.write { db in
            guard let current = try Self.customerDetail(id.rawValue, db: db)?.customer else {
                throw StoreError.notFound("customer \(id)")
            }
            var attributes = current.attributes
            for (key, value) in change.attributes { attributes[key] = value }
            try db.execute(
                sql: "UPDATE customers SET name = ?, vip_level = ?, attributes = ?, updated_at = ? WHERE id = ?",
                arguments: [
                    change.name ?? current.name, change.vipLevel ?? current.vipLevel, try SQLiteCoding.json(attributes),
                    SQLiteCoding.millis(time), current.id.rawValue,
                ])
            guard let updated = try Self.customerDetail(current.id.rawValue, db: db) else {
                throw StoreError.notFound("customer \(id)")
            }
            return updated
        }
    }
}
