import Foundation
import SwitchboardCore

/// What routing needs from a storage backend: its definitions, where every open conversation
/// stands, the decision history, and the facts about a conversation that rules and candidate
/// order look at.
///
/// The store is the source of truth; ``RoutingEngine`` keeps a copy in memory for speed and
/// rebuilds it from ``loadRouting(dayStart:)`` on start (and after a failed write).
public protocol RoutingStore: Sendable {
    /// Everything routing holds, for rebuilding the in-memory state.
    func loadRouting(dayStart: Date) async throws -> RoutingSnapshot
    func saveAgent(_ agent: Agent, at time: Date) async throws
    func savePresence(_ presence: Presence, of agent: AgentID, at time: Date) async throws
    func saveGroup(_ group: RoutingGroup, at time: Date) async throws
    /// Removes an agent (and its presence). Group definitions are saved separately.
    func deleteAgent(_ agent: AgentID) async throws
    func deleteGroup(_ group: GroupID) async throws
    /// Applies routing changes in one transaction: each conversation's entry (or its removal),
    /// its status, assignee, group and queue level, and the decision history; moves a consumer's
    /// position with them when given, so an event is acted on exactly once. Returns the
    /// conversations given an entry that are closed (closed while routing decided): their
    /// entries are not kept, and the caller releases them.
    @discardableResult
    func saveRouting(_ changes: [RoutingChange], consumer: ConsumerPosition?, at time: Date) async throws
        -> Set<ConversationID>
    /// A conversation's routing history, oldest first.
    func routingDecisions(for conversation: ConversationID) async throws -> [RoutingDecision]
    /// The facts rules and candidate order need, for each conversation that exists.
    func routingContexts(for conversations: [ConversationID]) async throws -> [ConversationID: RoutingContext]
    /// Open conversations routing never placed (no rule matched, or their group was missing),
    /// oldest first, so they can be routed once the configuration is fixed.
    func unroutedConversations(limit: Int) async throws -> [ConversationID]
    /// The text of each message that has one (the bot reads the customer's later messages).
    func messageTexts(_ messages: [MessageID]) async throws -> [MessageID: String]
    /// Where a named outbox consumer stopped (0 before its first event).
    func consumerPosition(_ consumer: String) async throws -> Int64
    /// The rules managed through the API (empty when none were saved).
    func loadRoutingRules() async throws -> [RoutingRule]
    func saveRoutingRules(_ rules: [RoutingRule]) async throws
}

/// Everything a store holds for routing.
public struct RoutingSnapshot: Sendable {
    public var agents: [(agent: Agent, presence: Presence)]
    public var groups: [RoutingGroup]
    /// Open conversations in arrival order.
    public var entries: [RoutingEntry]
    /// Conversations assigned to each agent since `dayStart`.
    public var assignedToday: [AgentID: Int]

    public init(
        agents: [(agent: Agent, presence: Presence)], groups: [RoutingGroup], entries: [RoutingEntry],
        assignedToday: [AgentID: Int]
    ) {
        self.agents = agents
        self.groups = groups
        self.entries = entries
        self.assignedToday = assignedToday
    }
}

/// One conversation's new routing state: where it stands now (`nil`: released) and the decision
/// that put it there, if one was made.
public struct RoutingChange: Sendable {
    public var conversationID: ConversationID
    public var entry: RoutingEntry?
    public var decision: RoutingDecision?

    public init(conversationID: ConversationID, entry: RoutingEntry?, decision: RoutingDecision?) {
        self.conversationID = conversationID
        self.entry = entry
        self.decision = decision
    }
}

/// An outbox consumer's position, saved with the changes it caused.
public struct ConsumerPosition: Sendable, Hashable {
    public var consumer: String
    public var position: Int64

    public init(consumer: String, position: Int64) {
        self.consumer = consumer
        self.position = position
    }
}

/// The facts about one conversation that rules and candidate order look at.
public struct RoutingContext: Sendable, Hashable {
    public var conversationID: ConversationID
    public var customerID: CustomerID
    public var channelID: String
    public var channelKind: String
    public var status: ConversationStatus
    /// Text of the conversation's first message (rules' keywords match it).
    public var firstMessageText: String?
    /// What the channel said about the contact's source (page, keyword, region, VIP parameter).
    public var attributes: RoutingAttributes
    public var customerVIPLevel: Int
    public var customerAttributes: [String: String]
    /// The last agent assigned any conversation of this customer.
    public var returningAgent: AgentID?
    /// Agents this customer rated 2 or lower.
    public var badlyRated: Set<AgentID>
    /// Whether routing already holds it or held it (it was routed before).
    public var routed: Bool

    public init(
        conversationID: ConversationID, customerID: CustomerID, channelID: String, channelKind: String,
        status: ConversationStatus, firstMessageText: String?, attributes: RoutingAttributes, customerVIPLevel: Int,
        customerAttributes: [String: String], returningAgent: AgentID?, badlyRated: Set<AgentID>, routed: Bool
    ) {
        self.conversationID = conversationID
        self.customerID = customerID
        self.channelID = channelID
        self.channelKind = channelKind
        self.status = status
        self.firstMessageText = firstMessageText
        self.attributes = attributes
        self.customerVIPLevel = customerVIPLevel
        self.customerAttributes = customerAttributes
        self.returningAgent = returningAgent
        self.badlyRated = badlyRated
        self.routed = routed
    }

    /// The customer's VIP exclusive agent, from the customer attribute `exclusiveAgent`.
    public var exclusiveAgent: AgentID? {
        customerAttributes["exclusiveAgent"].flatMap { AgentID.isValid($0) ? AgentID($0) : nil }
    }
}
