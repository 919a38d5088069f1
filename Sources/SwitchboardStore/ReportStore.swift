import Foundation
import SwitchboardCore

/// The raw facts reports are computed from, for one time window. A backend returns rows; the
/// aggregation (days in the operator's time zone, percentiles, rates) is done once, above it.
public protocol ReportStore: Sendable {
    /// Tickets created in [from, to), with when they were first answered and resolved.
    func ticketFacts(from: Date, to: Date) async throws -> [TicketReportRow]
    /// Tickets resolved in [from, to) (for "resolved per day" regardless of when they were opened).
    func resolvedTickets(from: Date, to: Date) async throws -> [TicketReportRow]
    /// Active tickets by group and age bucket at `now` (counted by the store, never listed).
    func ticketBacklog(now: Date, bucketEdges: [TimeInterval]) async throws -> [BacklogRow]
    /// Conversations assigned to agents in [from, to): one row per assignment.
    func assignments(from: Date, to: Date) async throws -> [AssignmentRow]
    /// Conversations that entered a queue in [from, to), with when they were first assigned.
    func queuedConversations(from: Date, to: Date) async throws -> [QueueRow]
    /// Conversations waiting in each group's queue now.
    func waitingNow() async throws -> [String: Int]
    /// Ratings given in [from, to) with the agent and group of their conversation.
    func ratingFacts(from: Date, to: Date) async throws -> [RatingRow]
}

public struct TicketReportRow: Sendable, Hashable {
    public var group: String?
    public var createdAt: Date
    public var firstRespondedAt: Date?
    public var resolvedAt: Date?
    /// Whether the ticket had an SLA and whether it breached.
    public var hasSLA: Bool
    public var breached: Bool

    public init(group: String?, createdAt: Date, firstRespondedAt: Date?, resolvedAt: Date?, hasSLA: Bool, breached: Bool) {
        self.group = group
        self.createdAt = createdAt
        self.firstRespondedAt = firstRespondedAt
        self.resolvedAt = resolvedAt
        self.hasSLA = hasSLA
        self.breached = breached
    }
}

public struct BacklogRow: Sendable, Hashable {
    public var group: String?
    /// Index of the age bucket (0: younger than the first edge).
    public var bucket: Int
    public var count: Int

    public init(group: String?, bucket: Int, count: Int) {
        self.group = group
        self.bucket = bucket
        self.count = count
    }
}

public struct AssignmentRow: Sendable, Hashable {
    public var agent: String
    public var at: Date

    public init(agent: String, at: Date) {
        self.agent = agent
        self.at = at
    }
}

public struct QueueRow: Sendable, Hashable {
    public var group: String?
    public var queuedAt: Date
    public var assignedAt: Date?
    /// Closed without ever reaching an agent (the customer gave up).
    public var abandoned: Bool

    public init(group: String?, queuedAt: Date, assignedAt: Date?, abandoned: Bool) {
        self.group = group
        self.queuedAt = queuedAt
        self.assignedAt = assignedAt
        self.abandoned = abandoned
    }
}

public struct RatingRow: Sendable, Hashable {
    public var agent: String?
    public var group: String?
    public var score: Int
    public var at: Date

    public init(agent: String?, group: String?, score: Int, at: Date) {
        self.agent = agent
        self.group = group
        self.score = score
        self.at = at
    }
}
