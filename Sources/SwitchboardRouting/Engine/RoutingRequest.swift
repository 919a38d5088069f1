import Foundation
import SwitchboardCore

/// Everything routing needs to know about a conversation entering a group.
///
/// The routing service fills it from the store (the customer's VIP level and exclusive agent, the
/// last agent who served them, the agents they rated badly) and from the rule that matched, so
/// the decision itself is a pure, fast function of this and the in-memory state.
public struct RoutingRequest: Sendable, Hashable, Codable {
    public var conversationID: ConversationID
    public var customerID: CustomerID
    public var group: GroupID
    /// Queue priority 0-10: higher levels are served first.
    public var level: Int
    public var requiredSkill: String?
    public var channelID: String
    public var sourcePage: String?
    public var keyword: String?
    /// The VIP customer's own agent, tried first when online and under capacity.
    public var exclusiveAgent: AgentID?
    /// The last agent who served this customer.
    public var returningAgent: AgentID?
    /// Agents this customer rated 2 or lower: never chosen for them.
    public var badlyRated: Set<AgentID>
    /// The name of the rule that sent the conversation here, for the explanation.
    public var rule: String?
    /// How the conversation is received (`nil`: human-only).
    public var reception: ReceptionMode?

    public init(
        conversationID: ConversationID, customerID: CustomerID, group: GroupID, level: Int = 0,
        requiredSkill: String? = nil, channelID: String, sourcePage: String? = nil, keyword: String? = nil,
        exclusiveAgent: AgentID? = nil, returningAgent: AgentID? = nil, badlyRated: Set<AgentID> = [],
        rule: String? = nil, reception: ReceptionMode? = nil
    ) {
        self.conversationID = conversationID
        self.customerID = customerID
        self.group = group
        self.level = min(max(level, 0), RoutingState.maxLevel)
        self.requiredSkill = requiredSkill
        self.channelID = channelID
        self.sourcePage = sourcePage
        self.keyword = keyword
        self.exclusiveAgent = exclusiveAgent
        self.returningAgent = returningAgent
        self.badlyRated = badlyRated
        self.rule = rule
        self.reception = reception
    }
}
