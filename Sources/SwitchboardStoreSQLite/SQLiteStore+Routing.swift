import Foundation
import GRDB
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore

extension SQLiteStore {
    public func loadRouting(dayStart: Date) async throws -> RoutingSnapshot {
        try await pool.read { db in
            let agents = try Row.fetchAll(db, sql: "SELECT definition, presence FROM routing_agents ORDER BY id")
                .compactMap { row -> (agent: Agent, presence: Presence)? in
                    guard let agent = try? SQLiteCoding.decoder.decode(Agent.self, from: Data((row[0] as String).utf8))
                    else { return nil }
                    return (agent, Presence(rawValue: row[1]) ?? .offline)
                }
            let groups = try String.fetchAll(db, sql: "SELECT definition FROM routing_groups ORDER BY id")
                .compactMap { try? SQLiteCoding.decoder.decode(RoutingGroup.self, from: Data($0.utf8)) }
            // Entries of conversations closed meanwhile are not routing's any more.
            let entries = try Row.fetchAll(
                db,
                sql: """
                    SELECT e.state, e.request, e.agent_id, e.sequence, e.since FROM routing_entries e
                    JOIN conversations c ON c.id = e.conversation_id
                    WHERE c.status != 'closed' ORDER BY e.sequence
                    """
            ).compactMap { row -> RoutingEntry? in
                guard let state = RoutingEntry.State(rawValue: row[0]),
                    let request = try? SQLiteCoding.decoder.decode(RoutingRequest.self, from: Data((row[1] as String).utf8))
                else { return nil }
                let agent: String? = row[2]
                let sequence: Int64 = row[3]
                return RoutingEntry(
                    state: state, request: request, agent: agent.map { AgentID($0) }, sequence: UInt64(max(0, sequence)),
                    since: SQLiteCoding.date(row[4]))
            }
            var today: [AgentID: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT agent_id, COUNT(*) FROM routing_decisions
                    WHERE outcome = 'assigned' AND created_at >= ? AND agent_id IS NOT NULL GROUP BY agent_id
                    """,
                arguments: [SQLiteCoding.millis(dayStart)])
            {
                today[AgentID(row[0] as String)] = row[1]
            }
            return RoutingSnapshot(agents: agents, groups: groups, entries: entries, assignedToday: today)
        }
    }

    public func saveAgent(_ agent: Agent, at time: Date) async throws {
        try await upsertDefinition(table: "routing_agents", id: agent.id.rawValue, definition: agent, at: time)
    }

    /// Inserts or replaces an agent's or group's JSON definition (an agent keeps its presence).
    private func upsertDefinition(table: String, id: String, definition: some Encodable, at time: Date) async throws {
        let json = try SQLiteCoding.json(object: definition)
        try await pool.write { db in
            let now = SQLiteCoding.millis(time)
            try db.execute(
                sql: """
                    INSERT INTO \(table) (id, definition, created_at, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
                    """, arguments: [id, json, now, now])
        }
    }

    public func savePresence(_ presence: Presence, of agent: AgentID, at time: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE routing_agents SET presence = ?, updated_at = ? WHERE id = ?",
                arguments: [presence.rawValue, SQLiteCoding.millis(time), agent.rawValue])
        }
    }

    public func saveGroup(_ group: RoutingGroup, at time: Date) async throws {
        try await upsertDefinition(table: "routing_groups", id: group.id.rawValue, definition: group, at: time)
    }

    public func deleteAgent(_ agent: AgentID) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM routing_agents WHERE id = ?", arguments: [agent.rawValue])
        }
    }

    public func deleteGroup(_ group: GroupID) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM routing_groups WHERE id = ?", arguments: [group.rawValue])
        }
    }

    public func saveRouting(_ changes: [RoutingChange], consumer: ConsumerPosition?, at time: Date) async throws
        -> Set<ConversationID>
    {
        let encoded = try changes.map { change in
            (
                change, try change.entry.map { try SQLiteCoding.json(object: $0.request) },
                try change.decision.map { try SQLiteCoding.json(object: $0) }
            )
        }
        return try await pool.write { db in
            let now = SQLiteCoding.millis(time)
            var closed: Set<ConversationID> = []
            for (change, request, decisionJSON) in encoded {
                let conversation = change.conversationID.rawValue
                let isClosed = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT status FROM conversations WHERE id = ?"), arguments: [conversation]
                ).map { $0 == ConversationStatus.closed.rawValue } ?? true
                if isClosed && change.entry != nil { closed.insert(change.conversationID) }
                if let entry = change.entry, let request, !isClosed {
                    try db.cachedStatement(
                        sql: """
                            INSERT OR REPLACE INTO routing_entries
                                (conversation_id, state, group_id, agent_id, level, sequence, request, since)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                            """
                    ).execute(arguments: [
                        conversation, entry.state.rawValue, entry.request.group.rawValue, entry.agent?.rawValue,
                        entry.request.level, Int64(clamping: entry.sequence), request, SQLiteCoding.millis(entry.since),
                    ])
                    try db.cachedStatement(
                        sql: """
                            UPDATE conversations SET status = ?, assignee = ?, group_name = ?, priority = ?, updated_at = ?
                            WHERE id = ?
                            """
                    ).execute(arguments: [
                        entry.state.conversationStatus.rawValue,
                        entry.agent?.rawValue, entry.request.group.rawValue, entry.request.level, now, conversation,
                    ])
                } else {
                    try db.cachedStatement(sql: "DELETE FROM routing_entries WHERE conversation_id = ?")
                        .execute(arguments: [conversation])
                }
                if let decision = change.decision, let text = decisionJSON {
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO routing_decisions (conversation_id, customer_id, outcome, agent_id, decision, created_at)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """
                    ).execute(arguments: [
                        conversation, change.entry?.request.customerID.rawValue ?? "", decision.outcome.rawValue,
                        decision.agent?.rawValue, text, SQLiteCoding.millis(decision.decidedAt),
                    ])
                }
            }
            if let consumer {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO consumer_positions (consumer, position) VALUES (?, ?)",
                    arguments: [consumer.consumer, consumer.position])
            }
            return closed
        }
    }

    public func routingDecisions(for conversation: ConversationID) async throws -> [RoutingDecision] {
        try await pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT decision FROM routing_decisions WHERE conversation_id = ? ORDER BY id",
                arguments: [conversation.rawValue]
            ).compactMap { try? SQLiteCoding.decoder.decode(RoutingDecision.self, from: Data($0.utf8)) }
        }
    }

    public func routingContexts(for conversations: [ConversationID]) async throws -> [ConversationID: RoutingContext] {
        try await pool.read { db in
            var contexts: [ConversationID: RoutingContext] = [:]
            for id in conversations {
                guard let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT c.customer_id, c.channel_id, c.channel_kind, c.status, c.routing, cu.vip_level,
                                cu.attributes,
                                EXISTS (SELECT 1 FROM routing_decisions d WHERE d.conversation_id = c.id),
                                (SELECT m.text FROM messages m WHERE m.conversation_id = c.id ORDER BY m.seq LIMIT 1)
                            FROM conversations c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?
                            """),
                    arguments: [id.rawValue])
                else { continue }
                let customer: String = row[0]
                let returning = try String.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT agent_id FROM routing_decisions
                            WHERE customer_id = ? AND outcome = 'assigned' ORDER BY id DESC LIMIT 1
                            """), arguments: [customer])
                let badly = try String.fetchAll(
                    db.cachedStatement(
                        sql: "SELECT DISTINCT agent FROM ratings WHERE customer_id = ? AND score <= 2 AND agent IS NOT NULL"),
                    arguments: [customer])
                contexts[id] = RoutingContext(
                    conversationID: id, customerID: CustomerID(customer), channelID: row[1], channelKind: row[2],
                    status: ConversationStatus(rawValue: row[3]) ?? .queued, firstMessageText: row[8],
                    attributes: SQLiteCoding.decode(RoutingAttributes.self, from: row[4], default: RoutingAttributes()),
                    customerVIPLevel: row[5],
                    customerAttributes: SQLiteCoding.decode([String: String].self, from: row[6], default: [:]),
                    returningAgent: returning.map { AgentID($0) }, badlyRated: Set(badly.map { AgentID($0) }),
                    routed: row[7])
            }
            return contexts
        }
    }

    public func unroutedConversations(limit: Int) async throws -> [ConversationID] {
        try await pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT c.id FROM conversations c
                    WHERE c.status = 'queued' AND c.group_name IS NULL
                        AND NOT EXISTS (SELECT 1 FROM routing_entries e WHERE e.conversation_id = c.id)
                    ORDER BY c.number LIMIT ?
                    """, arguments: [limit]
            ).map { ConversationID($0) }
        }
    }

    public func messageTexts(_ messages: [MessageID]) async throws -> [MessageID: String] {
        try await pool.read { db in
            var texts: [MessageID: String] = [:]
            for id in messages {
                if let text = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT text FROM messages WHERE id = ?"), arguments: [id.rawValue])
                {
                    texts[id] = text
                }
            }
            return texts
        }
    }

    public func consumerPosition(_ consumer: String) async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT position FROM consumer_positions WHERE consumer = ?", arguments: [consumer]) ?? 0
        }
    }

    public func loadRoutingRules() async throws -> [RoutingRule] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT rule FROM routing_rules ORDER BY position")
                .compactMap { try? SQLiteCoding.decoder.decode(RoutingRule.self, from: Data($0.utf8)) }
        }
    }

    public func saveRoutingRules(_ rules: [RoutingRule]) async throws {
        let encoded = try rules.map { try SQLiteCoding.json(object: $0) }
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM routing_rules")
            for (position, rule) in encoded.enumerated() {
                try db.execute(sql: "INSERT INTO routing_rules (position, rule) VALUES (?, ?)", arguments: [position, rule])
            }
        }
    }
}
