import Foundation
import GRDB
import SwitchboardCore
import SwitchboardStore

extension SQLiteStore {
    static let conversationColumns = """
        number, id, status, channel_id, channel_kind, customer_id, assignee, group_name, priority,
        created_at, updated_at, last_activity_at
        """

    static func conversation(from row: Row) -> Conversation {
        Conversation(
            id: ConversationID(row[1] as String), number: row[0],
            status: ConversationStatus(rawValue: row[2]) ?? .queued, channelID: ChannelID(rawValue: row[3]),
            channelKind: ChannelKind(rawValue: row[4]), customerID: CustomerID(row[5] as String), assignee: row[6],
            group: row[7], priority: row[8], createdAt: SQLiteCoding.date(row[9]),
            updatedAt: SQLiteCoding.date(row[10]), lastActivityAt: SQLiteCoding.date(row[11]))
    }

    static let messageColumns = """
        id, conversation_id, external_id, direction, author, text, html, parts, attachments, created_at, delivery_state,
        delivery_error
        """

    static func message(from row: Row) -> Message {
        Message(
            id: MessageID(row[0] as String), conversationID: ConversationID(row[1] as String), externalID: row[2],
            direction: MessageDirection(rawValue: row[3]) ?? .inbound, author: row[4], text: row[5], html: row[6],
            parts: SQLiteCoding.decode([MessagePart].self, from: row[7], default: []),
            attachments: SQLiteCoding.decode([Attachment].self, from: row[8], default: []),
            createdAt: SQLiteCoding.date(row[9]), deliveryState: row[10], deliveryError: row[11])
    }

    public func conversations(_ query: ConversationQuery) async throws -> ConversationPage {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let status = query.status {
                conditions.append("status = ?")
                arguments += [status.rawValue]
            }
            if let channel = query.channelID {
                conditions.append("channel_id = ?")
                arguments += [channel.rawValue]
            }
            if let customer = query.customerID {
                conditions.append("customer_id = ?")
                arguments += [customer.rawValue]
            }
            if let before = query.before {
                conditions.append("number < ?")
                arguments += [before]
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [query.limit + 1]
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT \(Self.conversationColumns) FROM conversations \(whereClause) ORDER BY number DESC LIMIT ?",
                arguments: arguments)
            var items = rows.map(Self.conversation(from:))
            var next: Int64?
            if items.count > query.limit {
                items.removeLast()
                next = items.last?.number
            }
            return ConversationPage(items: items, nextCursor: next)
        }
    }

    public func conversation(_ id: ConversationID) async throws -> ConversationDetail? {
        try await pool.read { db in try Self.detail(db: db, where: "id = ?", argument: id.rawValue) }
    }

    public func conversation(number: Int64) async throws -> ConversationDetail? {
        try await pool.read { db in try Self.detail(db: db, where: "number = ?", argument: number) }
    }

    private static func detail(db: Database, where condition: String, argument: some DatabaseValueConvertible) throws
        -> ConversationDetail?
    {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT \(conversationColumns) FROM conversations WHERE \(condition)", arguments: [argument])
        else { return nil }
        let conversation = conversation(from: row)
        let messages = try Row.fetchAll(
            db, sql: "SELECT \(messageColumns) FROM messages WHERE conversation_id = ? ORDER BY seq",
            arguments: [conversation.id.rawValue]
        ).map(message(from:))
        return ConversationDetail(conversation: conversation, messages: messages)
    }

    public func message(channelID: ChannelID, externalID: String) async throws -> Message? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.messageColumns) FROM messages WHERE channel_id = ? AND external_id = ?",
                arguments: [channelID.rawValue, externalID]
            ).map(Self.message(from:))
        }
    }

    public func appendReply(_ reply: AgentReply) async throws -> Message {
        try await pool.write { db in try Self.insertReply(reply, db: db) }
    }

    public func appendReplies(_ replies: [AgentReply]) async throws -> [Message] {
        try await pool.write { db in
            try replies.compactMap { reply -> Message? in
                do {
                    return try Self.insertReply(reply, db: db)
                } catch is StoreError {
                    // Closed or gone since the reply was decided: nothing to say any more.
                    return nil
                }
            }
        }
    }

    /// One reply inside a write transaction: the message, its blobs, the conversation's
    /// activity time and, when delivering, the outbox entry.
    static func insertReply(_ reply: AgentReply, db: Database) throws -> Message {
        guard let row = try Row.fetchOne(
            db,
            sql: """
                SELECT number, status, channel_id, handle_kind, handle_value FROM conversations WHERE id = ?
                """, arguments: [reply.conversationID.rawValue])
        else { throw StoreError.notFound("conversation \(reply.conversationID)") }
        let number: Int64 = row[0]
        guard ConversationStatus(rawValue: row[1]) != .closed else {
            throw StoreError.conflict("conversation \(reply.conversationID) is closed")
        }
        let channel: String = row[2]
        let now = SQLiteCoding.millis(reply.createdAt)
        let state: String? = reply.deliver ? "pending" : nil
        try db.execute(
            sql: """
                INSERT INTO messages (id, conversation_id, channel_id, external_id, direction, author, text, html,
                    parts, attachments, occurred_at, created_at, delivery_state)
                VALUES (?, ?, ?, ?, 'outbound', ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                reply.messageID.rawValue, reply.conversationID.rawValue, channel, reply.externalID, reply.author, reply.text,
                reply.html, try SQLiteCoding.json(reply.parts), try SQLiteCoding.json(reply.attachments), now, now, state,
            ])
        for attachment in reply.attachments {
            try db.execute(
                sql: "INSERT OR IGNORE INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)",
                arguments: [attachment.sha256, attachment.size, now])
        }
        try db.execute(
            sql: "UPDATE conversations SET last_activity_at = ?, updated_at = ? WHERE number = ?",
            arguments: [now, now, number])
        if reply.deliver {
            let payload = DeliveryPayload(
                recipientKind: row[3], recipientValue: row[4], conversationNumber: number, automatic: reply.automatic ? true : nil)
            try db.execute(
                sql: """
                    INSERT INTO outbox (topic, state, channel_id, conversation_id, message_id, payload,
                        next_attempt_at, created_at)
                    VALUES ('reply.deliver', 'pending', ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    channel, reply.conversationID.rawValue, reply.messageID.rawValue,
                    try SQLiteCoding.json(object: payload), now, now,
                ])
        } else {
            // Nothing to deliver, but the reply still happened (tickets count first responses).
            try db.execute(
                sql: """
                    INSERT INTO outbox (topic, state, channel_id, conversation_id, message_id, payload, created_at)
                    VALUES ('reply.recorded', 'event', ?, ?, ?, '{}', ?)
                    """,
                arguments: [channel, reply.conversationID.rawValue, reply.messageID.rawValue, now])
        }
        return Message(
            id: reply.messageID, conversationID: reply.conversationID, externalID: reply.externalID, direction: .outbound,
            author: reply.author, text: reply.text, html: reply.html, parts: reply.parts, attachments: reply.attachments,
            createdAt: reply.createdAt, deliveryState: state)
    }

    public func close(_ id: ConversationID, at time: Date) async throws -> Conversation {
        try await pool.write { db in
            let now = SQLiteCoding.millis(time)
            try db.execute(
                sql: "UPDATE conversations SET status = 'closed', updated_at = ? WHERE id = ? AND status <> 'closed'",
                arguments: [now, id.rawValue])
            guard let row = try Row.fetchOne(
                db, sql: "SELECT \(Self.conversationColumns) FROM conversations WHERE id = ?", arguments: [id.rawValue])
            else { throw StoreError.notFound("conversation \(id)") }
            return Self.conversation(from: row)
        }
    }
}

/// What a `reply.deliver` outbox entry remembers besides its columns.
struct DeliveryPayload: Codable {
    var recipientKind: String
    var recipientValue: String
    var conversationNumber: Int64
    var automatic: Bool?
}
