import Foundation
import GRDB
import SwitchboardCore
import SwitchboardStore

extension SQLiteStore {
    public func recordedContacts(_ query: RecordQuery) async throws -> RecordPage {
        try await pool.read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let channel = query.channelID {
                clauses.append("channel_id = ?")
                arguments += [channel.rawValue]
            }
            if let reason = query.reason {
                clauses.append("reason = ?")
                arguments += [reason.rawValue]
            }
            if let before = query.before {
                clauses.append("seq < ?")
                arguments += [before]
            }
            let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            arguments += [query.limit + 1]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, id, channel_id, external_id, reason, detail, sender_kind, sender_value, summary,
                        related_message_id, occurred_at, created_at
                    FROM recorded_contacts \(filter) ORDER BY seq DESC LIMIT ?
                    """, arguments: arguments)
            let page = rows.prefix(query.limit)
            let items = page.map { row in
                let senderKind: String? = row[6]
                let senderValue: String? = row[7]
                return StoredRecord(
                    id: row[1], channelID: ChannelID(rawValue: row[2]), externalID: row[3],
                    reason: RecordReason(rawValue: row[4]), detail: row[5],
                    sender: senderKind.flatMap { kind in senderValue.map { Handle(kind: kind, value: $0) } },
                    summary: row[8], relatedMessageID: (row[9] as String?).map { MessageID($0) },
                    occurredAt: SQLiteCoding.date(row[10]), createdAt: SQLiteCoding.date(row[11]))
            }
            let next: Int64? = rows.count > query.limit ? page.last.map { $0[0] } : nil
            return RecordPage(items: Array(items), nextCursor: next)
        }
    }

    public func rawPayload(_ id: String) async throws -> RawPayload? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT content_type, body FROM raw_payloads WHERE message_id = ?", arguments: [id])
                .map { RawPayload(contentType: $0[0], bytes: $0[1]) }
        }
    }
}
