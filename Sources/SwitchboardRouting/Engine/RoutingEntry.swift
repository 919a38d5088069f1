import Foundation
import SwitchboardCore

/// Where routing holds one open conversation — with an agent or waiting in a queue — in the form
/// a store keeps, so routing state survives a restart exactly.
public struct RoutingEntry: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        case assigned
        case waiting
        /// Held by the bot (bot-first, bot-only, or human-first with nobody available).
        case bot

        /// The conversation status this routing state shows as.
        public var conversationStatus: ConversationStatus {
            switch self {
            case .assigned: .assigned
            case .waiting: .queued
            case .bot: .bot
            }
        }
    }

    public var state: State
    public var request: RoutingRequest
    public var agent: AgentID?
    /// Arrival order: queues are FIFO by it within a level.
    public var sequence: UInt64
    /// Since when it is assigned or waiting.
    public var since: Date

    public init(state: State, request: RoutingRequest, agent: AgentID?, sequence: UInt64, since: Date) {
        self.state = state
        self.request = request
        self.agent = agent
        self.sequence = sequence
        self.since = since
    }
}
