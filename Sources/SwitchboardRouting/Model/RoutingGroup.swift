import SwitchboardCore

/// A team conversations are routed to, with the strategy that picks among its members.
public struct RoutingGroup: Sendable, Hashable, Codable {
    public var id: GroupID
    public var name: String
    /// Members in their stable order: round-robin goes through them in this order.
    public var members: [AgentID]
    public var strategy: RoutingStrategy
    /// When the group works; `nil` means always.
    public var businessHours: BusinessHours?
    /// Where a conversation goes after waiting `maxWaitSeconds` in this group's queue.
    public var overflowGroup: GroupID?
    public var maxWaitSeconds: Int?
    /// What happens to an agent's conversations when the agent goes offline.
    public var offlinePolicy: OfflinePolicy
    /// Channel / page / keyword → agents, for the `source` strategy.
    public var sources: SourceMap

    public init(
        id: GroupID, name: String, members: [AgentID] = [], strategy: RoutingStrategy = .roundRobin,
        businessHours: BusinessHours? = nil, overflowGroup: GroupID? = nil, maxWaitSeconds: Int? = nil,
        offlinePolicy: OfflinePolicy = .requeue, sources: SourceMap = SourceMap()
    ) {
        self.id = id
        self.name = name
        self.members = members
        self.strategy = strategy
        self.businessHours = businessHours
        self.overflowGroup = overflowGroup
        self.maxWaitSeconds = maxWaitSeconds
        self.offlinePolicy = offlinePolicy
        self.sources = sources
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(GroupID.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        members = try container.decodeIfPresent([AgentID].self, forKey: .members) ?? []
        strategy = try container.decodeIfPresent(RoutingStrategy.self, forKey: .strategy) ?? .roundRobin
        businessHours = try container.decodeIfPresent(BusinessHours.self, forKey: .businessHours)
        overflowGroup = try container.decodeIfPresent(GroupID.self, forKey: .overflowGroup)
        maxWaitSeconds = try container.decodeIfPresent(Int.self, forKey: .maxWaitSeconds)
        offlinePolicy = try container.decodeIfPresent(OfflinePolicy.self, forKey: .offlinePolicy) ?? .requeue
        sources = try container.decodeIfPresent(SourceMap.self, forKey: .sources) ?? SourceMap()
    }

    /// Checks the definition on its own (references to agents and groups are checked by the
    /// engine, which knows them).
    public func validate() throws(ValidationError) {
        guard GroupID.isValid(id.rawValue) else { throw ValidationError(field: "id", reason: GroupID.rule) }
        try InboundContact.checkIdentifier(name, field: "name", maxBytes: 200)
        guard Set(members).count == members.count else {
            throw ValidationError(field: "members", reason: "lists an agent more than once")
        }
        if let maxWaitSeconds, !(1...604_800).contains(maxWaitSeconds) {
            throw ValidationError(field: "maxWaitSeconds", reason: "must be 1-604800 seconds")
        }
        if (overflowGroup == nil) != (maxWaitSeconds == nil) {
            throw ValidationError(
                field: overflowGroup == nil ? "overflowGroup" : "maxWaitSeconds",
                reason: "must be given together with \(overflowGroup == nil ? "maxWaitSeconds" : "overflowGroup")")
        }
        if overflowGroup == id { throw ValidationError(field: "overflowGroup", reason: "must not be the group itself") }
        try businessHours?.validate()
    }
}

/// How a group picks among its available members (after the VIP and returning-agent steps).
public enum RoutingStrategy: String, Sendable, Hashable, Codable, CaseIterable {
    /// The next available member after the last one chosen, in member order.
    case roundRobin = "round-robin"
    /// The member with the fewest open conversations; ties by member order.
    case leastLoad = "least-load"
    /// The member with the fewest conversations assigned today; ties by member order.
    case leastLoadToday = "least-load-today"
    /// The member with the highest level in the conversation's required skill; ties by load.
    case skill
    /// The members mapped to the conversation's channel, page or keyword; least load among them.
    case source
}

/// What happens to an agent's open conversations when the agent goes offline.
public enum OfflinePolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// They go back to the front of the group's queue at their level.
    case requeue
    /// They stay with the agent.
    case keep
}

/// The `source` strategy's maps: which agents serve a channel, a page, a search keyword.
///
/// Checked in the order keyword, page, channel (the most specific signal first); a page matches
/// when the conversation's source page starts with the configured prefix.
public struct SourceMap: Sendable, Hashable, Codable {
    public var channels: [String: [AgentID]]
    public var pages: [String: [AgentID]]
    public var keywords: [String: [AgentID]]

    public init(
        channels: [String: [AgentID]] = [:], pages: [String: [AgentID]] = [:], keywords: [String: [AgentID]] = [:]
    ) {
        self.channels = channels
        self.pages = pages
        self.keywords = keywords
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        channels = try container.decodeIfPresent([String: [AgentID]].self, forKey: .channels) ?? [:]
        pages = try container.decodeIfPresent([String: [AgentID]].self, forKey: .pages) ?? [:]
        keywords = try container.decodeIfPresent([String: [AgentID]].self, forKey: .keywords) ?? [:]
    }

    var isEmpty: Bool { channels.isEmpty && pages.isEmpty && keywords.isEmpty }

    /// The agents mapped to a conversation's source, with what matched.
    func agents(channel: String, page: String?, keyword: String?) -> (match: String, agents: [AgentID])? {
        if let keyword {
            let lowered = keyword.lowercased()
            for key in keywords.keys.sorted() where lowered.contains(key.lowercased()) {
                return ("keyword \(key)", keywords[key] ?? [])
            }
        }
        if let page {
            // The longest matching prefix wins, so a specific page beats its site.
            if let key = pages.keys.filter({ page.hasPrefix($0) }).max(by: { $0.utf8.count < $1.utf8.count }) {
                return ("page \(key)", pages[key] ?? [])
            }
        }
        if let agents = channels[channel] { return ("channel \(channel)", agents) }
        return nil
    }
}
