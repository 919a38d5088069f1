import Foundation
import SwitchboardCore
import SwitchboardRouting

/// JSON shapes of the routing API (`/agents`, `/groups`, `/routing/rules`, a conversation's
/// routing and queue). Absent values are written as `null`, never omitted.
enum RoutingResources {
    struct AgentResource: Encodable {
        var view: AgentView

        enum Key: String, CodingKey { case id, name, skills, capacity, groups, presence, load, assignedToday }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(view.agent.id, forKey: .id)
            try container.encode(view.agent.name, forKey: .name)
            try container.encode(view.agent.skills, forKey: .skills)
            try container.encode(view.agent.capacity, forKey: .capacity)
            try container.encode(view.groups, forKey: .groups)
            try container.encode(view.presence, forKey: .presence)
            try container.encode(view.load, forKey: .load)
            try container.encode(view.assignedToday, forKey: .assignedToday)
        }
    }

    struct GroupResource: Encodable {
        var group: RoutingGroup

        enum Key: String, CodingKey {
            case id, name, members, strategy, businessHours, overflowGroup, maxWaitSeconds, offlinePolicy, sources
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(group.id, forKey: .id)
            try container.encode(group.name, forKey: .name)
            try container.encode(group.members, forKey: .members)
            try container.encode(group.strategy, forKey: .strategy)
            try container.encode(group.businessHours, forKey: .businessHours)
            try container.encode(group.overflowGroup, forKey: .overflowGroup)
            try container.encode(group.maxWaitSeconds, forKey: .maxWaitSeconds)
            try container.encode(group.offlinePolicy, forKey: .offlinePolicy)
            try container.encode(group.sources, forKey: .sources)
        }
    }

    struct List<Item: Encodable>: Encodable {
        var items: [Item]
    }

    /// `POST /agents`: the agent plus the groups to put it in (appended to their member order).
    struct AgentRequest: Decodable {
        var agent: Agent
        var groups: [GroupID]?

        init(from decoder: any Decoder) throws {
            agent = try Agent(from: decoder)
            enum Key: String, CodingKey { case groups }
            groups = try decoder.container(keyedBy: Key.self).decodeIfPresent([GroupID].self, forKey: .groups)
        }
    }

    struct PresenceRequest: Decodable {
        var status: Presence
    }

    struct RulesBody: Codable {
        var rules: [RoutingRule]
        /// `config` when the rules come from the configuration file (read-only here), else `api`.
        var source: String?
    }

    struct TransferRequest: Decodable {
        var agent: AgentID?
        var group: GroupID?
        var note: String?
        var force: Bool?
    }

    struct QueueResource: Encodable {
        var group: GroupID
        var level: Int
        var ahead: Int
    }

    struct RoutingResource: Encodable {
        var conversationId: ConversationID
        var status: ConversationStatus
        var assignee: String?
        var group: String?
        var queueLevel: Int?
        var decisions: [RoutingDecision]

        enum Key: String, CodingKey { case conversationId, status, assignee, group, queueLevel, decisions }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(conversationId, forKey: .conversationId)
            try container.encode(status, forKey: .status)
            try container.encode(assignee, forKey: .assignee)
            try container.encode(group, forKey: .group)
            try container.encode(queueLevel, forKey: .queueLevel)
            try container.encode(decisions, forKey: .decisions)
        }
    }

    struct TransferResult: Encodable {
        var decision: RoutingDecision?
    }
}
