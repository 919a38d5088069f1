import Foundation
import SwitchboardCore

/// What routing did with one conversation and why — stored with every assignment and served at
/// `GET /conversations/{id}/routing`, so a supervisor can answer "why did Alice get this?".
public struct RoutingDecision: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        case assigned
        case queued
        /// Given to the bot (reception mode).
        case bot
    }

    public var conversationID: ConversationID
    public var outcome: Outcome
    public var group: GroupID
    public var agent: AgentID?
    /// The step that chose the agent (or `queue`).
    public var step: RoutingStep
    /// The rule that picked the group, when a rule did.
    public var rule: String?
    public var level: Int
    /// For a queued conversation: how many wait ahead of it at its own level.
    public var ahead: Int?
    /// Candidates passed over, in the order they were considered, with the reason.
    public var skipped: [SkippedCandidate]
    /// Members of the group that were not available (offline, away or at capacity).
    public var unavailableMembers: Int
    /// For an assignment from the queue: how long the conversation waited.
    public var waitedSeconds: Double?
    /// One sentence for people.
    public var detail: String
    public var decidedAt: Date

    enum CodingKeys: String, CodingKey {
        case conversationID = "conversationId"
        case outcome, group, agent, step, rule, level, ahead, skipped, unavailableMembers, waitedSeconds, detail, decidedAt
    }

    public init(
        conversationID: ConversationID, outcome: Outcome, group: GroupID, agent: AgentID?, step: RoutingStep,
        rule: String?, level: Int, ahead: Int?, skipped: [SkippedCandidate], unavailableMembers: Int,
        detail: String, decidedAt: Date
    ) {
        self.conversationID = conversationID
        self.outcome = outcome
        self.group = group
        self.agent = agent
        self.step = step
        self.rule = rule
        self.level = level
        self.ahead = ahead
        self.skipped = skipped
        self.unavailableMembers = unavailableMembers
        self.detail = detail
        self.decidedAt = decidedAt
    }
}

extension RoutingDecision {
    /// Absent values are written as `null` (the API's convention), not left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(conversationID, forKey: .conversationID)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(group, forKey: .group)
        try container.encode(agent, forKey: .agent)
        try container.encode(step, forKey: .step)
        try container.encode(rule, forKey: .rule)
        try container.encode(level, forKey: .level)
        try container.encode(ahead, forKey: .ahead)
        try container.encode(skipped, forKey: .skipped)
        try container.encode(unavailableMembers, forKey: .unavailableMembers)
        try container.encode(waitedSeconds, forKey: .waitedSeconds)
        try container.encode(detail, forKey: .detail)
        try container.encode(decidedAt, forKey: .decidedAt)
    }
}

/// The ordered steps of candidate selection.
public enum RoutingStep: String, Sendable, Hashable, Codable, CaseIterable {
    case exclusiveAgent = "vip-exclusive-agent"
    case returningAgent = "returning-agent"
    case roundRobin = "round-robin"
    case leastLoad = "least-load"
    case leastLoadToday = "least-load-today"
    case skill
    case source
    case queue
    case transfer
    /// The reception mode gave it to the bot.
    case bot
    /// The bot handed it to people (asked for a person, or no answer).
    case handover

    init(_ strategy: RoutingStrategy) {
        switch strategy {
        case .roundRobin: self = .roundRobin
        case .leastLoad: self = .leastLoad
        case .leastLoadToday: self = .leastLoadToday
        case .skill: self = .skill
        case .source: self = .source
        }
    }
}

/// A candidate that routing passed over.
public struct SkippedCandidate: Sendable, Hashable, Codable {
    public var agent: AgentID
    public var reason: SkipReason

    public init(agent: AgentID, reason: SkipReason) {
        self.agent = agent
        self.reason = reason
    }
}

public enum SkipReason: String, Sendable, Hashable, Codable {
    case offline
    case away
    case atCapacity = "at-capacity"
    /// The customer rated this agent 2 or lower.
    case ratedBadly = "rated-badly"
    case notMember = "not-member"
    case unknownAgent = "unknown-agent"
}
