import Foundation
import GRDB
import SwitchboardCore
import SwitchboardStore

extension SQLiteStore {
    public func appendAcknowledgements(_ replies: [AgentReply], window: [ChannelID: Duration], consumer: String, position: Int64)
        async throws -> [Message]
    {
        try await pool.write { db in
            var stored: [Message] = []
            for reply in replies {
                guard let row = try Row.fetchOne(
                    db, sql: "SELECT customer_id, channel_id FROM conversations WHERE id = ?", arguments: [reply.conversationID.rawValue])
                else { continue }
                let customer: String = row[0]
                let channel: String = row[1]
                let span = window[ChannelID(rawValue: channel)] ?? .zero
                let since = SQLiteCoding.millis(reply.createdAt) - span.components.seconds * 1000
                let recent = try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (
                            SELECT 1 FROM conversations c JOIN messages m ON m.conversation_id = c.id
                            WHERE c.customer_id = ? AND c.channel_id = ? AND m.direction = 'outbound' AND m.author = ?
                                AND m.created_at > ?)
                        """, arguments: [customer, channel, reply.author, since]) ?? false
                guard !recent else { continue }
                do {
                    stored.append(try Self.insertReply(reply, db: db))
                } catch is StoreError {
                    continue  // closed since: nothing to acknowledge any more
                }
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO consumer_positions (consumer, position) VALUES (?, ?)", arguments: [consumer, position])
            return stored
        }
    }
}
