import Foundation
import GRDB
import SwitchboardCore
import SwitchboardStore

extension SQLiteStore {
    public func dueDeliveries(now: Date, limit: Int) async throws -> [PendingDelivery] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.id, o.attempts, o.channel_id, o.conversation_id, o.message_id, o.payload,
                        m.author, m.text, m.html, m.attachments, m.created_at, m.external_id, m.seq, c.routing, m.parts
                    FROM outbox o JOIN messages m ON m.id = o.message_id
                    LEFT JOIN conversations c ON c.id = o.conversation_id
                    WHERE o.state = 'pending' AND o.topic = 'reply.deliver' AND o.next_attempt_at <= ?
                    ORDER BY o.next_attempt_at, o.id LIMIT ?
                    """,
                arguments: [SQLiteCoding.millis(now), limit]
            ).map { row in
                let payload = SQLiteCoding.decode(
                    DeliveryPayload?.self, from: row[5], default: nil)
                let conversationID: String = row[3]
                let thread = try Self.thread(conversationID: conversationID, before: row[12], db: db)
                let routing = SQLiteCoding.decode(RoutingAttributes?.self, from: row[13], default: nil)
                return PendingDelivery(
                    id: row[0], attempts: row[1], channelID: ChannelID(rawValue: row[2]),
                    message: OutboundMessage(
                        conversationID: ConversationID(conversationID),
                        conversationNumber: payload?.conversationNumber ?? 0, messageID: MessageID(row[4] as String),
                        recipient: Handle(kind: payload?.recipientKind ?? "", value: payload?.recipientValue ?? ""),
                        author: row[6], text: row[7], html: row[8],
                        attachments: SQLiteCoding.decode([Attachment].self, from: row[9], default: []),
                        createdAt: SQLiteCoding.date(row[10]), externalID: row[11], subject: routing?.extra["subject"],
                        inReplyTo: thread.inReplyTo, references: thread.references, automatic: payload?.automatic ?? false,
                        customerLastMessageAt: thread.lastInboundAt,
                        links: SQLiteCoding.decode([MessagePart].self, from: row[14], default: []).linkCards))
            }
        }
    }

    /// The external ids of a conversation's messages before `seq`: the latest inbound one, and
    /// the chain (the first and the 19 latest), for threading replies; and when the customer last
    /// wrote.
    private static func thread(conversationID: String, before seq: Int64, db: Database) throws
        -> (inReplyTo: String?, references: [String], lastInboundAt: Date?)
    {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT external_id, direction FROM messages
                    WHERE conversation_id = ? AND seq < ? AND external_id IS NOT NULL ORDER BY seq
                    """), arguments: [conversationID, seq])
        let ids: [String] = rows.map { $0[0] }
        let inReplyTo = rows.last { ($0[1] as String) == "inbound" }.map { $0[0] as String }
        let references = ids.count <= 20 ? ids : [ids[0]] + ids.suffix(19)
        let lastInboundAt = try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT occurred_at FROM messages
                    WHERE conversation_id = ? AND seq < ? AND direction = 'inbound' ORDER BY seq DESC LIMIT 1
                    """), arguments: [conversationID, seq]
        ).map(SQLiteCoding.date)
        return (inReplyTo, references, lastInboundAt)
    }

    public func nextDeliveryDue() async throws -> Date? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending' AND topic = 'reply.deliver'")
                .map(SQLiteCoding.date)
        }
    }

    public func markDelivered(_ id: Int64, at time: Date) async throws {
        try await pool.write { db in
            let now = SQLiteCoding.millis(time)
            try db.execute(
                sql: "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, finished_at = ?, last_error = NULL WHERE id = ?",
                arguments: [now, id])
            try db.execute(
                sql: """
                    UPDATE messages SET delivery_state = 'delivered', delivery_error = NULL
                    WHERE id = (SELECT message_id FROM outbox WHERE id = ?)
                    """, arguments: [id])
        }
    }

    public func reschedule(_ id: Int64, attempts: Int, nextAttemptAt: Date, error: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'pending'",
                arguments: [attempts, SQLiteCoding.millis(nextAttemptAt), error, id])
            try db.execute(
                sql: "UPDATE messages SET delivery_error = ? WHERE id = (SELECT message_id FROM outbox WHERE id = ?)",
                arguments: [error, id])
        }
    }

    public func markFailed(_ id: Int64, attempts: Int, at time: Date, error: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE outbox SET state = 'failed', attempts = ?, finished_at = ?, last_error = ? WHERE id = ?",
                arguments: [attempts, SQLiteCoding.millis(time), error, id])
            try db.execute(
                sql: """
                    UPDATE messages SET delivery_state = 'failed', delivery_error = ?
                    WHERE id = (SELECT message_id FROM outbox WHERE id = ?)
                    """, arguments: [error, id])
        }
    }

    public func outboxDepth() async throws -> OutboxDepth {
        try await pool.read { db in
            let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE state = 'pending'") ?? 0
            let failed = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE state = 'failed'") ?? 0
            // The log position, not a count: counting events would scan the whole log.
            let events = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM outbox") ?? 0
            return OutboxDepth(pendingDeliveries: pending, failedDeliveries: failed, events: events)
        }
    }

    public func events(after position: Int64, limit: Int) async throws -> [OutboxEvent] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, topic, conversation_id, message_id, payload, created_at FROM outbox
                    WHERE id > ? AND state = 'event' ORDER BY id LIMIT ?
                    """,
                arguments: [position, limit]
            ).map { row in
                let conversation: String? = row[2]
                let message: String? = row[3]
                let created: Int64 = row[5]
                return OutboxEvent(
                    position: row[0], topic: row[1], conversationID: conversation.map { ConversationID($0) },
                    messageID: message.map { MessageID($0) }, payload: row[4], createdAt: SQLiteCoding.date(created))
            }
        }
    }
}
