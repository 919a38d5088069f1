import Foundation
import GRDB
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore
import SwitchboardTickets

extension SQLiteStore {
    @discardableResult
    public func saveTickets(_ writes: [TicketWrite], consumer: ConsumerPosition?) async throws -> [Ticket] {
        guard !writes.isEmpty || consumer != nil else { return [] }
        return try await pool.write { db in
            var saved: [Ticket] = []
            for write in writes { saved.append(try Self.save(write, db: db)) }
            if let consumer {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO consumer_positions (consumer, position) VALUES (?, ?)",
                    arguments: [consumer.consumer, consumer.position])
            }
            return saved
        }
    }

    private static func save(_ write: TicketWrite, db: Database) throws -> Ticket {
        var ticket = write.change.ticket
        let now = SQLiteCoding.millis(ticket.updatedAt)
        let body: String
        if let expected = write.change.expectedVersion {
            ticket.version = expected + 1
            body = try SQLiteCoding.ticketBody(ticket)
            try db.cachedStatement(
                sql: """
                    UPDATE tickets SET version = ?, state = ?, priority = ?, group_name = ?, assignee = ?, breached = ?,
                        first_response_due_at = ?, resolution_due_at = ?, updated_at = ?, body = ?
                    WHERE number = ? AND id = ? AND version = ?
                    """
            ).execute(
                arguments: [
                    ticket.version, ticket.state.rawValue, ticket.priority.rawValue, ticket.group, ticket.assignee,
                    ticket.sla.breached, write.firstResponseDueAt.map(SQLiteCoding.millis),
                    write.resolutionDueAt.map(SQLiteCoding.millis), now, body, ticket.number, ticket.id.rawValue, expected,
                ])
            guard db.changesCount == 1 else {
                throw StoreError.stale("ticket \(ticket.id) was changed by someone else; reload it and try again")
            }
        } else {
            ticket.version = 1
            // The number is taken inside the write transaction (writers are serialized), so the
            // body is encoded once, with its number, instead of inserted and then rewritten.
            let last = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM sqlite_sequence WHERE name = 'tickets'"))
            ticket.number = (last ?? 0) + 1
            body = try SQLiteCoding.ticketBody(ticket)
            try db.cachedStatement(
                sql: """
                    INSERT INTO tickets (number, id, version, state, priority, group_name, assignee, customer_id, breached,
                        first_response_due_at, resolution_due_at, created_at, updated_at, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                ticket.number, ticket.id.rawValue, ticket.version, ticket.state.rawValue, ticket.priority.rawValue, ticket.group,
                ticket.assignee, ticket.customerID?.rawValue, ticket.sla.breached,
                write.firstResponseDueAt.map(SQLiteCoding.millis), write.resolutionDueAt.map(SQLiteCoding.millis),
                SQLiteCoding.millis(ticket.createdAt), now, body,
            ])
        }
        // Hand back what a later read returns, without reading the body back.
        ticket = SQLiteCoding.stored(ticket)
        for conversation in ticket.conversationIDs {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO ticket_conversations (conversation_id, ticket_number) VALUES (?, ?)")
                .execute(arguments: [conversation.rawValue, ticket.number])
        }
        for entry in write.change.history {
            try db.cachedStatement(
                sql: "INSERT INTO ticket_history (ticket_number, kind, actor, changes, note, created_at) VALUES (?, ?, ?, ?, ?, ?)"
            ).execute(arguments: [
                ticket.number, entry.kind, entry.actor, try SQLiteCoding.json(entry.changes), entry.note, SQLiteCoding.millis(entry.at),
            ])
        }
        var messageID: MessageID?
        if let reply = write.reply {
            messageID = try insertReply(reply, db: db).id
        }
        if let comment = write.change.comment {
            try db.execute(
                sql: """
                    INSERT INTO ticket_comments (id, ticket_number, author, text, public, message_id, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    comment.id, ticket.number, comment.author, comment.text, comment.isPublic,
                    (comment.messageID ?? messageID)?.rawValue, SQLiteCoding.millis(comment.createdAt),
                ])
        }
        for webhook in write.change.webhooks {
            try db.execute(
                sql: """
                    INSERT INTO outbox (topic, state, payload, next_attempt_at, created_at, last_error)
                    VALUES ('webhook.deliver', 'pending', ?, ?, ?, NULL)
                    """,
                arguments: [try SQLiteCoding.json(object: WebhookPayload(event: webhook.event, body: webhook.body)), now, now])
        }
        try db.cachedStatement(sql: "DELETE FROM sla_timers WHERE ticket_number = ?").execute(arguments: [ticket.number])
        for timer in write.timers {
            try db.cachedStatement(sql: "INSERT INTO sla_timers (ticket_number, mark, due_at) VALUES (?, ?, ?)")
                .execute(arguments: [ticket.number, timer.mark.rawValue, SQLiteCoding.millis(timer.dueAt, rounding: .up)])
        }
        return ticket
    }

    public func ticket(_ id: TicketID) async throws -> Ticket? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT body FROM tickets WHERE id = ?", arguments: [id.rawValue]).flatMap(Self.ticket)
        }
    }

    public func ticket(number: Int64) async throws -> Ticket? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT body FROM tickets WHERE number = ?", arguments: [number]).flatMap(Self.ticket)
        }
    }

    static func ticket(_ body: String) -> Ticket? {
        SQLiteCoding.ticket(body: body)
    }

    public func tickets(_ query: TicketQuery) async throws -> TicketPage {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let states = query.states, !states.isEmpty {
                conditions.append("t.state IN (\(Array(repeating: "?", count: states.count).joined(separator: ", ")))")
                arguments += states.map(\.rawValue)
            }
            if let group = query.group {
                conditions.append("t.group_name = ?")
                arguments.append(group)
            }
            if let assignee = query.assignee {
                conditions.append("t.assignee = ?")
                arguments.append(assignee)
            }
            if let priority = query.priority {
                conditions.append("t.priority = ?")
                arguments.append(priority.rawValue)
            }
            if let breached = query.breached {
                conditions.append("t.breached = ?")
                arguments.append(breached)
            }
            if let due = query.dueBefore {
                conditions.append("(t.first_response_due_at < ? OR t.resolution_due_at < ?)")
                arguments += [SQLiteCoding.millis(due), SQLiteCoding.millis(due)]
            }
            if let customer = query.customerID {
                conditions.append("t.customer_id = ?")
                arguments.append(customer.rawValue)
            }
            for word in (query.text ?? "").split(whereSeparator: \.isWhitespace).prefix(8) {
                let pattern = "%" + Self.likeEscaped(String(word)) + "%"
                conditions.append(
                    """
                    (t.body LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM ticket_comments k
                        WHERE k.ticket_number = t.number AND k.text LIKE ? ESCAPE '\\'))
                    """)
                arguments += [pattern, pattern]
            }
            if let before = query.before {
                conditions.append("t.number < ?")
                arguments.append(before)
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try Row.fetchAll(
                db, sql: "SELECT t.number, t.body FROM tickets t \(filter) ORDER BY t.number DESC LIMIT ?",
                arguments: StatementArguments(arguments + [query.limit + 1]))
            let items = rows.prefix(query.limit).compactMap { Self.ticket($0[1]) }
            return TicketPage(items: items, nextCursor: rows.count > query.limit ? items.last?.number : nil)
        }
    }

    /// `text` with LIKE's wildcards escaped, so a search for `50%` finds "50%".
    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }

    public func tickets(ids: [TicketID]) async throws -> [Ticket] {
        try await pool.read { db in
            var tickets: [Ticket] = []
            // Chunks stay far below SQLite's limit on bound parameters.
            let unique = Array(Set(ids))
            for start in stride(from: 0, to: unique.count, by: 500) {
                let chunk = unique[start..<min(start + 500, unique.count)]
                let bodies = try String.fetchAll(
                    db, sql: "SELECT body FROM tickets WHERE id IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ", ")))",
                    arguments: StatementArguments(chunk.map(\.rawValue)))
                tickets += bodies.compactMap(Self.ticket)
            }
            return tickets
        }
    }

    public func tickets(forConversations conversations: [ConversationID]) async throws -> [ConversationID: [Ticket]] {
        try await pool.read { db in
            var result: [ConversationID: [Ticket]] = [:]
            for conversation in Set(conversations) {
                let bodies = try String.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT t.body FROM ticket_conversations l JOIN tickets t ON t.number = l.ticket_number
                            WHERE l.conversation_id = ? ORDER BY t.number DESC
                            """), arguments: [conversation.rawValue])
                let tickets = bodies.compactMap(Self.ticket)
                if !tickets.isEmpty { result[conversation] = tickets }
            }
            return result
        }
    }

    public func ticketHistory(_ id: TicketID) async throws -> [TicketHistoryEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT h.kind, h.actor, h.changes, h.note, h.created_at FROM ticket_history h
                    JOIN tickets t ON t.number = h.ticket_number WHERE t.id = ? ORDER BY h.id
                    """, arguments: [id.rawValue]
            ).map { row in
                TicketHistoryEntry(
                    kind: row[0], actor: row[1], changes: SQLiteCoding.decode([String: String].self, from: row[2], default: [:]),
                    note: row[3], at: SQLiteCoding.date(row[4]))
            }
        }
    }

    public func ticketComments(_ id: TicketID) async throws -> [TicketComment] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT k.id, k.author, k.text, k.public, k.message_id, k.created_at FROM ticket_comments k
                    JOIN tickets t ON t.number = k.ticket_number WHERE t.id = ? ORDER BY k.seq
                    """, arguments: [id.rawValue]
            ).map { row in
                let message: String? = row[4]
                return TicketComment(
                    id: row[0], ticketID: id, author: row[1], text: row[2], isPublic: row[3], messageID: message.map { MessageID($0) },
                    createdAt: SQLiteCoding.date(row[5]))
            }
        }
    }

    public func dueSLATimers(now: Date, limit: Int) async throws -> [SLATimer] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.id, s.mark, s.due_at FROM sla_timers s JOIN tickets t ON t.number = s.ticket_number
                    WHERE s.due_at <= ? ORDER BY s.due_at LIMIT ?
                    """, arguments: [SQLiteCoding.millis(now, rounding: .down), limit]
            ).compactMap { row in
                guard let mark = SLAMark(rawValue: row[1]) else { return nil }
                return SLATimer(ticketID: TicketID(row[0] as String), mark: mark, dueAt: SQLiteCoding.date(row[2]))
            }
        }
    }

    public func nextSLATimer() async throws -> Date? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(due_at) FROM sla_timers").map(SQLiteCoding.date)
        }
    }

    public func activeTicketLoad(_ agents: [String]) async throws -> [String: Int] {
        try await pool.read { db in
            var load: [String: Int] = [:]
            for agent in Set(agents) {
                load[agent] =
                    try Int.fetchOne(
                        db.cachedStatement(
                            sql: "SELECT COUNT(*) FROM tickets WHERE assignee = ? AND state IN ('new', 'open', 'pending')"),
                        arguments: [agent]) ?? 0
            }
            return load
        }
    }

    public func ticketFacts(for conversations: [ConversationID]) async throws -> [ConversationID: TicketFacts] {
        try await pool.read { db in
            var facts: [ConversationID: TicketFacts] = [:]
            for id in Set(conversations) {
                guard let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT c.customer_id, c.channel_id, c.channel_kind, cu.name, cu.attributes, cu.vip_level,
                                (SELECT COUNT(*) FROM outbox o WHERE o.conversation_id = c.id AND o.topic = 'bot.failed')
                            FROM conversations c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?
                            """), arguments: [id.rawValue])
                else { continue }
                // The latest customer message speaks for the conversation (its text, subject, disposition).
                let message = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT text, routing FROM messages WHERE conversation_id = ? AND direction = 'inbound'
                            ORDER BY seq DESC LIMIT 1
                            """), arguments: [id.rawValue])
                let routing = SQLiteCoding.decode(RoutingAttributes.self, from: message?[1], default: RoutingAttributes())
                var contact = routing.extra
                contact["page"] = routing.sourcePage
                contact["keyword"] = routing.keyword
                contact["region"] = routing.region
                facts[id] = TicketFacts(
                    conversationID: id, customerID: CustomerID(row[0] as String), channelID: row[1], channelKind: row[2],
                    text: message?[0], subject: routing.extra["subject"], customerName: row[3],
                    customerAttributes: SQLiteCoding.decode([String: String].self, from: row[4], default: [:]), vipLevel: row[5],
                    contactAttributes: contact, botFailures: row[6])
            }
            return facts
        }
    }

    public func ticketCustomer(_ id: CustomerID) async throws -> TicketCustomer? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT id, name, attributes, vip_level FROM customers WHERE id = ? AND merged_into IS NULL",
                arguments: [id.rawValue]
            ).map { row in
                TicketCustomer(
                    id: CustomerID(row[0] as String), name: row[1],
                    attributes: SQLiteCoding.decode([String: String].self, from: row[2], default: [:]), vipLevel: row[3])
            }
        }
    }

    public func ticketActivity(after position: Int64, limit: Int) async throws -> [OutboxEvent] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.id, o.topic, o.conversation_id, o.message_id, o.payload, o.created_at FROM outbox o
                    LEFT JOIN messages m ON m.id = o.message_id AND o.topic IN ('reply.deliver', 'reply.recorded')
                    WHERE o.id > ? AND (
                        (o.state = 'event' AND o.topic IN ('contact.ingested', 'bot.failed'))
                        OR (o.topic IN ('reply.deliver', 'reply.recorded') AND m.author NOT IN ('bot', 'system', 'auto-reply')
                            AND o.payload NOT LIKE '%"automatic":true%'))
                    ORDER BY o.id LIMIT ?
                    """,
                arguments: [position, limit]
            ).map { row in
                let conversation: String? = row[2]
                let message: String? = row[3]
                return OutboxEvent(
                    position: row[0], topic: row[1], conversationID: conversation.map { ConversationID($0) },
                    messageID: message.map { MessageID($0) }, payload: row[4], createdAt: SQLiteCoding.date(row[5]))
            }
        }
    }

    public func recordBotFailures(_ conversations: [ConversationID], at time: Date) async throws {
        guard !conversations.isEmpty else { return }
        try await pool.write { db in
            for conversation in conversations {
                try db.execute(
                    sql: """
                        INSERT INTO outbox (topic, state, conversation_id, payload, created_at)
                        VALUES ('bot.failed', 'event', ?, '{}', ?)
                        """, arguments: [conversation.rawValue, SQLiteCoding.millis(time)])
            }
        }
    }

    public func loadTicketDefinitions() async throws -> (types: [TicketType], rules: [TicketRule]) {
        try await pool.read { db in
            let types = try String.fetchAll(db, sql: "SELECT definition FROM ticket_types ORDER BY name")
                .compactMap { SQLiteCoding.decode(TicketType?.self, from: $0, default: nil) }
            let rules = try String.fetchAll(db, sql: "SELECT rule FROM ticket_rules ORDER BY position")
                .compactMap { SQLiteCoding.decode(TicketRule?.self, from: $0, default: nil) }
            return (types, rules)
        }
    }

    public func saveTicketTypes(_ types: [TicketType]) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM ticket_types")
            for type in types {
                try db.execute(
                    sql: "INSERT INTO ticket_types (name, definition) VALUES (?, ?)",
                    arguments: [type.name, try SQLiteCoding.json(object: type)])
            }
        }
    }

    public func saveTicketRules(_ rules: [TicketRule]) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM ticket_rules")
            for (position, rule) in rules.enumerated() {
                try db.execute(
                    sql: "INSERT INTO ticket_rules (position, rule) VALUES (?, ?)", arguments: [position, try SQLiteCoding.json(object: rule)])
            }
        }
    }

    public func dueTicketWebhooks(now: Date, limit: Int) async throws -> [PendingWebhook] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, attempts, payload, created_at FROM outbox
                    WHERE state = 'pending' AND topic = 'webhook.deliver' AND next_attempt_at <= ?
                    ORDER BY next_attempt_at, id LIMIT ?
                    """, arguments: [SQLiteCoding.millis(now), limit]
            ).compactMap { row in
                guard let payload = SQLiteCoding.decode(WebhookPayload?.self, from: row[2], default: nil) else { return nil }
                return PendingWebhook(
                    id: row[0], attempts: row[1], event: payload.event, body: payload.body, createdAt: SQLiteCoding.date(row[3]))
            }
        }
    }

    public func nextTicketWebhookDue() async throws -> Date? {
        try await pool.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending' AND topic = 'webhook.deliver'"
            ).map(SQLiteCoding.date)
        }
    }

    public func markWebhookDelivered(_ id: Int64, at time: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET state = 'delivered', attempts = attempts + 1, finished_at = ?, last_error = NULL
                    WHERE id = ? AND topic = 'webhook.deliver'
                    """, arguments: [SQLiteCoding.millis(time), id])
        }
    }

    public func rescheduleWebhook(_ id: Int64, attempts: Int, nextAttemptAt: Date, error: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?
                    WHERE id = ? AND state = 'pending' AND topic = 'webhook.deliver'
                    """, arguments: [attempts, SQLiteCoding.millis(nextAttemptAt), error, id])
        }
    }

    public func markWebhookFailed(_ id: Int64, attempts: Int, at time: Date, error: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET state = 'failed', attempts = ?, finished_at = ?, last_error = ?
                    WHERE id = ? AND topic = 'webhook.deliver'
                    """, arguments: [attempts, SQLiteCoding.millis(time), error, id])
        }
    }
}

/// A ticket webhook as the outbox keeps it.
struct WebhookPayload: Codable {
    var event: String
    var body: String
}
