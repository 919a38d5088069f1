import Foundation
import GRDB
import SwitchboardCore
import SwitchboardStore

extension SQLiteStore {
    private static let ticketReportColumns = """
        group_name, created_at, json_extract(body, '$.firstRespondedAt'), json_extract(body, '$.resolvedAt'),
        json_extract(body, '$.sla.policy') IS NOT NULL, breached
        """

    private static func ticketReportRow(_ row: Row) -> TicketReportRow {
        let responded: Double? = row[2]
        let resolved: Double? = row[3]
        return TicketReportRow(
            group: row[0], createdAt: SQLiteCoding.date(row[1]), firstRespondedAt: responded.map { SQLiteCoding.date(Int64($0)) },
            resolvedAt: resolved.map { SQLiteCoding.date(Int64($0)) }, hasSLA: row[4], breached: row[5])
    }

    public func ticketFacts(from: Date, to: Date) async throws -> [TicketReportRow] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.ticketReportColumns) FROM tickets WHERE created_at >= ? AND created_at < ?",
                arguments: [SQLiteCoding.millis(from), SQLiteCoding.millis(to)]
            ).map(Self.ticketReportRow)
        }
    }

    public func resolvedTickets(from: Date, to: Date) async throws -> [TicketReportRow] {
        try await pool.read { db in
            // Resolved or closed tickets changed in the window; the resolution time decides.
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.ticketReportColumns) FROM tickets
                    WHERE state IN ('resolved', 'closed') AND updated_at >= ?
                        AND json_extract(body, '$.resolvedAt') >= ? AND json_extract(body, '$.resolvedAt') < ?
                    """,
                arguments: [SQLiteCoding.millis(from), SQLiteCoding.millis(from), SQLiteCoding.millis(to)]
            ).map(Self.ticketReportRow)
        }
    }

    public func ticketBacklog(now: Date, bucketEdges: [TimeInterval]) async throws -> [BacklogRow] {
        try await pool.read { db in
            let nowMillis = SQLiteCoding.millis(now)
            // No edges: one bucket holding every active ticket (SQLite has no `CASE ELSE … END`).
            var cases = "0"
            if !bucketEdges.isEmpty {
                cases = "CASE"
                for (index, edge) in bucketEdges.enumerated() {
                    cases += " WHEN created_at > \(nowMillis - Int64(edge * 1000)) THEN \(index)"
                }
                cases += " ELSE \(bucketEdges.count) END"
            }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT group_name, \(cases) AS bucket, COUNT(*) FROM tickets
                    WHERE state IN ('new', 'open', 'pending') GROUP BY group_name, bucket
                    """
            ).map { BacklogRow(group: $0[0], bucket: $0[1], count: $0[2]) }
        }
    }

    public func assignments(from: Date, to: Date) async throws -> [AssignmentRow] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT agent_id, created_at FROM routing_decisions
                    WHERE outcome = 'assigned' AND agent_id IS NOT NULL AND created_at >= ? AND created_at < ?
                    """,
                arguments: [SQLiteCoding.millis(from), SQLiteCoding.millis(to)]
            ).map { AssignmentRow(agent: $0[0], at: SQLiteCoding.date($0[1])) }
        }
    }

    public func queuedConversations(from: Date, to: Date) async throws -> [QueueRow] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.group_name, c.created_at,
                        (SELECT MIN(d.created_at) FROM routing_decisions d
                            WHERE d.conversation_id = c.id AND d.outcome = 'assigned'),
                        c.status
                    FROM conversations c
                    WHERE c.created_at >= ? AND c.created_at < ?
                        AND EXISTS (SELECT 1 FROM routing_decisions q WHERE q.conversation_id = c.id)
                    """,
                arguments: [SQLiteCoding.millis(from), SQLiteCoding.millis(to)]
            ).map { row in
                let assigned: Int64? = row[2]
                let status: String = row[3]
                return QueueRow(
                    group: row[0], queuedAt: SQLiteCoding.date(row[1]), assignedAt: assigned.map(SQLiteCoding.date),
                    abandoned: assigned == nil && status == ConversationStatus.closed.rawValue)
            }
        }
    }

    public func waitingNow() async throws -> [String: Int] {
        try await pool.read { db in
            var waiting: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT group_id, COUNT(*) FROM routing_entries WHERE state = 'waiting' GROUP BY group_id") {
                waiting[row[0]] = row[1]
            }
            return waiting
        }
    }

    public func ratingFacts(from: Date, to: Date) async throws -> [RatingRow] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.agent, c.group_name, r.score, r.created_at FROM ratings r
                    LEFT JOIN conversations c ON c.id = r.conversation_id
                    WHERE r.created_at >= ? AND r.created_at < ?
                    """,
                arguments: [SQLiteCoding.millis(from), SQLiteCoding.millis(to)]
            ).map { RatingRow(agent: $0[0], group: $0[1], score: $0[2], at: SQLiteCoding.date($0[3])) }
        }
    }
}
