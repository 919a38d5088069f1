import Foundation
import SwitchboardCore

@testable import SwitchboardRouting

/// Builds routing states for tests: agents `a1…aN` online with the given capacity, in one group.
struct RoutingFixture {
    var state = RoutingState()
    let start = Date(timeIntervalSince1970: 1_790_000_000)
    var clock: Date
    private var counter = 0

    init() { clock = start }

    mutating func agent(_ id: String, capacity: Int = 3, skills: [String: Int] = [:], online: Bool = true) throws {
        _ = try state.putAgent(Agent(id: AgentID(id), name: id.uppercased(), skills: skills, capacity: capacity), now: clock)
        if online { _ = try state.setPresence(.online, of: AgentID(id), now: clock) }
    }

    mutating func group(
        _ id: String, members: [String], strategy: RoutingStrategy = .roundRobin, offlinePolicy: OfflinePolicy = .requeue,
        overflow: (String, Int)? = nil, sources: SourceMap = SourceMap()
    ) throws {
        _ = try state.putGroup(
            RoutingGroup(
                id: GroupID(id), name: id, members: members.map { AgentID($0) }, strategy: strategy,
                overflowGroup: overflow.map { GroupID($0.0) }, maxWaitSeconds: overflow?.1, offlinePolicy: offlinePolicy,
                sources: sources),
            now: clock)
    }

    /// A new conversation's request, with a fresh conversation and customer id each time.
    mutating func request(
        group: String = "g", level: Int = 0, customer: String? = nil, skill: String? = nil, channel: String = "web",
        page: String? = nil, keyword: String? = nil, exclusive: String? = nil, returning: String? = nil,
        badlyRated: Set<String> = []
    ) -> RoutingRequest {
        counter += 1
        return RoutingRequest(
            conversationID: ConversationID("conv-\(counter)"), customerID: CustomerID(customer ?? "cust-\(counter)"),
            group: GroupID(group), level: level, requiredSkill: skill, channelID: channel, sourcePage: page,
            keyword: keyword, exclusiveAgent: exclusive.map { AgentID($0) }, returningAgent: returning.map { AgentID($0) },
            badlyRated: Set(badlyRated.map { AgentID($0) }))
    }

    mutating func route(_ request: RoutingRequest) throws -> RoutingDecision {
        clock = clock.addingTimeInterval(1)
        return try state.route(request, now: clock)
    }

    /// Routes a new conversation and returns the chosen agent's id (nil when queued).
    mutating func assign(_ request: RoutingRequest) throws -> String? {
        try route(request).agent?.rawValue
    }
}
