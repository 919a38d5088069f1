import Foundation
import GRDB
import SwitchboardCore
import SwitchboardStore

extension SQLiteStore {
    public func commit(_ batch: [IngestItem], policy: ThreadingPolicy, now: Date) async throws
        -> [Result<IngestItemOutcome, IngestError>]
    {
        try await pool.write { db in
            var outcomes: [Result<IngestItemOutcome, IngestError>] = []
            outcomes.reserveCapacity(batch.count)
            for item in batch {
                switch item {
                case .contact(let prepared):
                    outcomes.append(.success(.contact(try Self.ingest(prepared, policy: policy, now: now, db: db))))
                case .rating(let rating):
                    outcomes.append(try Self.record(rating, now: now, db: db).map { .rating($0) })
                case .recorded(let contact):
                    outcomes.append(.success(.recorded(try Self.record(contact, now: now, db: db))))
                }
            }
            return outcomes
        }
    }

    public func checkpoint(channel: ChannelID, scope: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT value FROM channel_checkpoints WHERE channel_id = ? AND scope = ?",
                arguments: [channel.rawValue, scope])
        }
    }

    /// Moves (channel, scope) from `expected` to `value`; leaves it alone when it holds anything else.
    static func advance(_ checkpoint: ChannelCheckpoint?, channel: ChannelID, nowMillis: Int64, db: Database) throws {
        guard let checkpoint else { return }
        if let expected = checkpoint.expected {
            try db.cachedStatement(
                sql: "UPDATE channel_checkpoints SET value = ?, updated_at = ? WHERE channel_id = ? AND scope = ? AND value = ?"
            ).execute(arguments: [checkpoint.value, nowMillis, channel.rawValue, checkpoint.scope, expected])
        } else {
            try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO channel_checkpoints (channel_id, scope, value, updated_at) VALUES (?, ?, ?, ?)"
            ).execute(arguments: [channel.rawValue, checkpoint.scope, checkpoint.value, nowMillis])
        }
    }

    /// One recorded contact inside the batch transaction: dedupe → link → insert.
    static func record(_ contact: RecordedContact, now: Date, db: Database) throws -> RecordReceipt {
        let channel = contact.channelID.rawValue
        let nowMillis = SQLiteCoding.millis(now)
        if let row = try Row.fetchOne(
            db.cachedStatement(
                sql: "SELECT id, related_message_id FROM recorded_contacts WHERE channel_id = ? AND external_id = ?"),
            arguments: [channel, contact.externalID])
        {
            try advance(contact.checkpoint, channel: contact.channelID, nowMillis: nowMillis, db: db)
            return RecordReceipt(recordID: row[0], duplicate: true, relatedMessageID: (row[1] as String?).map { MessageID($0) })
        }
        if let messageID = try String.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM messages WHERE channel_id = ? AND external_id = ?"),
            arguments: [channel, contact.externalID])
        {
            // Already stored as a message (the same mail, once small enough or conversational).
            try advance(contact.checkpoint, channel: contact.channelID, nowMillis: nowMillis, db: db)
            return RecordReceipt(recordID: messageID, duplicate: true, relatedMessageID: MessageID(messageID))
        }
        var related: String?
        let ids = Array(contact.relatesTo.prefix(20))
        if !ids.isEmpty {
            let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            var arguments: StatementArguments = [channel]
            arguments += StatementArguments(ids)
            related = try String.fetchOne(
                db, sql: "SELECT id FROM messages WHERE channel_id = ? AND external_id IN (\(placeholders)) ORDER BY seq DESC LIMIT 1",
                arguments: arguments)
        }
        let recordID = "rec_" + timeOrderedID()
        try db.cachedStatement(
            sql: """
                INSERT INTO recorded_contacts (id, channel_id, external_id, reason, detail, sender_kind, sender_value,
                    summary, related_message_id, occurred_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            recordID, channel, contact.externalID, contact.reason.rawValue, contact.detail, contact.sender?.kind,
            contact.sender?.value, contact.summary, related, SQLiteCoding.millis(contact.occurredAt), nowMillis,
        ])
        try db.cachedStatement(sql: "INSERT INTO raw_payloads (message_id, content_type, body) VALUES (?, ?, ?)")
            .execute(arguments: [recordID, contact.raw.contentType, contact.raw.bytes])
        try advance(contact.checkpoint, channel: contact.channelID, nowMillis: nowMillis, db: db)
        return RecordReceipt(recordID: recordID, duplicate: false, relatedMessageID: related.map { MessageID($0) })
    }

    /// One contact inside the batch transaction: dedupe → identity → threading → inserts.
    static func ingest(_ prepared: PreparedContact, policy: ThreadingPolicy, now: Date, db: Database) throws
        -> IngestReceipt
    {
        let contact = prepared.contact
        let channel = contact.channelID.rawValue
        let nowMillis = SQLiteCoding.millis(now)

        // The per-contact statements run through `DirectStatement`: this transaction is the
        // single writer every durable contact waits for.

        // 1. Dedupe on (channel, externalID): answer with the original ids.
        let dedupe = try DirectStatement(
            db,
            sql: """
                SELECT m.id, m.conversation_id, c.number, c.customer_id
                FROM messages m JOIN conversations c ON c.id = m.conversation_id
                WHERE m.channel_id = ? AND m.external_id = ?
                """, .text(channel), .text(contact.externalID))
        if try dedupe.step() {
            let receipt = IngestReceipt(
                customerID: CustomerID(dedupe.text(3) ?? ""), conversationID: ConversationID(dedupe.text(1) ?? ""),
                conversationNumber: dedupe.integer(2), messageID: MessageID(dedupe.text(0) ?? ""), duplicate: true,
                newConversation: false)
            try advance(contact.checkpoint, channel: contact.channelID, nowMillis: nowMillis, db: db)
            return receipt
        }
        _ = consume dedupe

        // 2. Resolve the customer by exact handle; create one for an unknown handle.
        let customerID = try resolveCustomer(contact, nowMillis: nowMillis, db: db)

        // 3. Thread: into the conversation the contact replies to, else (chat) the latest open
        // conversation on this channel within the window, else a new one.
        let hinted = try hintedConversation(contact, customerID: customerID, db: db)
        let latest = !contact.threadHints.byInactivityWindow ? nil : try latestConversation(customerID, channel: channel, db: db)
        let routing = try routingJSON(contact.routing)
        let conversationID: ConversationID
        let number: Int64
        let isNew: Bool
        switch policy.decide(
            hinted: hinted, latest: latest, byInactivityWindow: contact.threadHints.byInactivityWindow, at: now)
        {
        case .continueConversation(let id, let existingNumber):
            conversationID = id
            number = existingNumber
            isNew = false
            try DirectStatement(
                db, sql: "UPDATE conversations SET last_activity_at = ?, updated_at = ? WHERE number = ?",
                .integer(nowMillis), .integer(nowMillis), .integer(number)
            ).execute()
        case .startNew:
            conversationID = .generate()
            isNew = true
            try DirectStatement(
                db,
                sql: """
                    INSERT INTO conversations (id, status, channel_id, channel_kind, customer_id, handle_kind,
                        handle_value, priority, routing, created_at, updated_at, last_activity_at)
                    VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                .text(conversationID.rawValue), .text(channel), .text(contact.channelKind.rawValue), .text(customerID),
                .text(contact.sender.kind), .text(contact.sender.value), .integer(Int64(contact.routing.vipLevel ?? 0)),
                .text(routing), .integer(nowMillis), .integer(nowMillis), .integer(nowMillis)
            ).execute()
            number = db.lastInsertedRowID
        }

        // 4. Persist the message, its raw payload, its blobs and an outbox event.
        let messageID = prepared.messageID
        try DirectStatement(
            db,
            sql: """
                INSERT INTO messages (id, conversation_id, channel_id, external_id, direction, author, text, html,
                    parts, attachments, routing, occurred_at, created_at)
                VALUES (?, ?, ?, ?, 'inbound', ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            .text(messageID.rawValue), .text(conversationID.rawValue), .text(channel), .text(contact.externalID),
            .text(contact.senderName ?? contact.sender.description), .text(contact.text), .text(contact.html),
            .text(try SQLiteCoding.json(contact.parts)), .text(try SQLiteCoding.json(prepared.attachments)),
            .text(routing), .integer(SQLiteCoding.millis(contact.occurredAt)), .integer(nowMillis)
        ).execute()
        try DirectStatement(
            db, sql: "INSERT INTO raw_payloads (message_id, content_type, body) VALUES (?, ?, ?)",
            .text(messageID.rawValue), .text(contact.raw.contentType), .blob(contact.raw.bytes)
        ).execute()
        for attachment in prepared.attachments {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)")
                .execute(arguments: [attachment.sha256, attachment.size, nowMillis])
        }
        // Built by hand on the hot path: every value is a channel id or an id we minted (JSON-safe).
        let event = """
            {"channelId":"\(channel)","conversationId":"\(conversationID.rawValue)","customerId":"\(customerID)",\
            "messageId":"\(messageID.rawValue)","newConversation":\(isNew)}
            """
        try DirectStatement(
            db,
            sql: """
                INSERT INTO outbox (topic, state, channel_id, conversation_id, message_id, payload, created_at)
                VALUES ('contact.ingested', 'event', ?, ?, ?, ?, ?)
                """, .text(channel), .text(conversationID.rawValue), .text(messageID.rawValue), .text(event), .integer(nowMillis)
        ).execute()
        try advance(contact.checkpoint, channel: contact.channelID, nowMillis: nowMillis, db: db)

        return IngestReceipt(
            customerID: CustomerID(customerID), conversationID: conversationID, conversationNumber: number,
            messageID: messageID, duplicate: false, newConversation: isNew)
    }

    /// The customer's conversation on this channel that the contact's hints name: the newest one
    /// holding a message it replies to, else the one whose number is its subject token.
    private static func hintedConversation(_ contact: InboundContact, customerID: String, db: Database) throws
        -> ThreadingPolicy.Candidate?
    {
        let hints = contact.threadHints
        func candidate(_ row: Row?) -> ThreadingPolicy.Candidate? {
            row.map {
                ThreadingPolicy.Candidate(
                    id: ConversationID($0[0] as String), number: $0[1],
                    status: ConversationStatus(rawValue: $0[2]) ?? .closed, lastActivityAt: SQLiteCoding.date($0[3]))
            }
        }
        let ids = Array(hints.replyTo.prefix(20))
        if !ids.isEmpty {
            let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            var arguments: StatementArguments = [contact.channelID.rawValue, customerID]
            arguments += StatementArguments(ids)
            if let found = candidate(
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT c.id, c.number, c.status, c.last_activity_at FROM messages m
                        JOIN conversations c ON c.id = m.conversation_id
                        WHERE m.channel_id = ? AND c.customer_id = ? AND m.external_id IN (\(placeholders))
                        ORDER BY m.seq DESC LIMIT 1
                        """, arguments: arguments))
            {
                return found
            }
        }
        if let token = hints.subjectToken, let number = Int64(token) {
            return candidate(
                try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT id, number, status, last_activity_at FROM conversations
                            WHERE number = ? AND channel_id = ? AND customer_id = ?
                            """), arguments: [number, contact.channelID.rawValue, customerID]))
        }
        return nil
    }

    /// The customer's newest conversation on `channel`, the candidate for threading by inactivity.
    private static func latestConversation(_ customerID: String, channel: String, db: Database) throws
        -> ThreadingPolicy.Candidate?
    {
        let latest = try DirectStatement(
            db,
            sql: """
                SELECT id, number, status, last_activity_at FROM conversations
                WHERE customer_id = ? AND channel_id = ? ORDER BY number DESC LIMIT 1
                """, .text(customerID), .text(channel))
        guard try latest.step(), let id = latest.text(0) else { return nil }
        return ThreadingPolicy.Candidate(
            id: ConversationID(id), number: latest.integer(1),
            status: latest.text(2).flatMap(ConversationStatus.init(rawValue:)) ?? .closed,
            lastActivityAt: SQLiteCoding.date(latest.integer(3)))
    }

    /// The customer owning the contact's sender handle, created if the handle is new. Profile
    /// details the sender gave update the customer (name only when it has none).
    private static func resolveCustomer(_ contact: InboundContact, nowMillis: Int64, db: Database) throws -> String {
        var found = try customerHolding(contact.sender, db: db)
        let foundBySender = found != nil
        if found == nil {
            for handle in contact.linkedHandles {
                found = try customerHolding(handle, db: db)
                if found != nil { break }
            }
        }
        if let customerID = found {
            if !foundBySender { try attach(contact.sender, to: customerID, nowMillis: nowMillis, db: db) }
            for handle in contact.linkedHandles { try attach(handle, to: customerID, nowMillis: nowMillis, db: db) }
            if contact.senderName != nil || !contact.customerAttributes.isEmpty {
                try updateProfile(customerID: customerID, contact: contact, nowMillis: nowMillis, db: db)
            }
            return customerID
        }
        let customerID = CustomerID.generate().rawValue
        try DirectStatement(
            db,
            sql: """
                INSERT INTO customers (id, name, attributes, vip_level, created_at, updated_at)
                VALUES (?, ?, ?, 0, ?, ?)
                """, .text(customerID), .text(contact.senderName), .text(try SQLiteCoding.json(contact.customerAttributes)),
            .integer(nowMillis), .integer(nowMillis)
        ).execute()
        try DirectStatement(
            db, sql: "INSERT INTO handles (kind, value, customer_id, created_at) VALUES (?, ?, ?, ?)",
            .text(contact.sender.kind), .text(contact.sender.value), .text(customerID), .integer(nowMillis)
        ).execute()
        for handle in contact.linkedHandles { try attach(handle, to: customerID, nowMillis: nowMillis, db: db) }
        return customerID
    }

    /// The customer holding `handle`, if any.
    private static func customerHolding(_ handle: Handle, db: Database) throws -> String? {
        let lookup = try DirectStatement(
            db, sql: "SELECT customer_id FROM handles WHERE kind = ? AND value = ?", .text(handle.kind), .text(handle.value))
        return try lookup.step() ? lookup.text(0) : nil
    }

    /// Gives `handle` to `customerID` unless someone already holds it (then it stays with them).
    private static func attach(_ handle: Handle, to customerID: String, nowMillis: Int64, db: Database) throws {
        try DirectStatement(
            db, sql: "INSERT OR IGNORE INTO handles (kind, value, customer_id, created_at) VALUES (?, ?, ?, ?)",
            .text(handle.kind), .text(handle.value), .text(customerID), .integer(nowMillis)
        ).execute()
    }

    private static func updateProfile(customerID: String, contact: InboundContact, nowMillis: Int64, db: Database) throws {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT name, attributes FROM customers WHERE id = ?"), arguments: [customerID])
        else { return }
        let currentName: String? = row[0]
        var attributes = SQLiteCoding.decode([String: String].self, from: row[1], default: [:])
        let before = attributes
        attributes.merge(contact.customerAttributes) { _, new in new }
        let name = currentName ?? contact.senderName
        guard name != currentName || attributes != before else { return }
        try db.cachedStatement(sql: "UPDATE customers SET name = ?, attributes = ?, updated_at = ? WHERE id = ?")
            .execute(arguments: [name, try SQLiteCoding.json(attributes), nowMillis, customerID])
    }

    private static func routingJSON(_ routing: RoutingAttributes) throws -> String? {
        guard routing != RoutingAttributes() else { return nil }
        return try SQLiteCoding.json(object: routing)
    }

    /// One rating inside the batch transaction.
    static func record(_ rating: RatingSubmission, now: Date, db: Database) throws -> Result<RatingReceipt, IngestError> {
        if let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT id, conversation_id, agent FROM ratings WHERE channel_id = ? AND external_id = ?"),
            arguments: [rating.channelID.rawValue, rating.externalID])
        {
            return .success(
                RatingReceipt(
                    ratingID: row[0], conversationID: ConversationID(row[1] as String), agent: row[2], duplicate: true))
        }
        // The conversation must be on this channel and belong to the customer owning the sender handle.
        guard let conversation = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT c.customer_id, c.assignee FROM conversations c
                    JOIN handles h ON h.customer_id = c.customer_id
                    WHERE c.id = ? AND c.channel_id = ? AND h.kind = ? AND h.value = ?
                    """),
            arguments: [rating.conversationID.rawValue, rating.channelID.rawValue, rating.sender.kind, rating.sender.value])
        else { return .failure(.conversationNotFound) }
        let ratingID = timeOrderedID()
        let customerID: String = conversation[0]
        let agent: String? = conversation[1]
        try db.cachedStatement(
            sql: """
                INSERT INTO ratings (id, channel_id, external_id, conversation_id, customer_id, agent, score, comment, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            ratingID, rating.channelID.rawValue, rating.externalID, rating.conversationID.rawValue, customerID, agent,
            rating.score, rating.comment, SQLiteCoding.millis(now),
        ])
        try db.cachedStatement(
            sql: """
                INSERT INTO outbox (topic, state, channel_id, conversation_id, payload, created_at)
                VALUES ('rating.recorded', 'event', ?, ?, ?, ?)
                """
        ).execute(arguments: [
            rating.channelID.rawValue, rating.conversationID.rawValue,
            try SQLiteCoding.json(object: ["ratingId": ratingID, "score": String(rating.score)]), SQLiteCoding.millis(now),
        ])
        return .success(RatingReceipt(ratingID: ratingID, conversationID: rating.conversationID, agent: agent, duplicate: false))
    }
}

