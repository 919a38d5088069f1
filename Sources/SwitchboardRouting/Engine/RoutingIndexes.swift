import SwitchboardCore

/// Sort keys of a group's availability indexes. `position` is the member's place in the group's
/// member list, which breaks every tie in member order.
struct LoadKey: Comparable, Sendable {
    var load: Int
    var position: Int

    static func < (lhs: LoadKey, rhs: LoadKey) -> Bool {
        (lhs.load, lhs.position) < (rhs.load, rhs.position)
    }
}

struct SkillKey: Comparable, Sendable {
    var level: Int
    var load: Int
    var position: Int

    /// Higher level first, then lower load, then member order.
    static func < (lhs: SkillKey, rhs: SkillKey) -> Bool {
        (-lhs.level, lhs.load, lhs.position) < (-rhs.level, rhs.load, rhs.position)
    }
}

/// One group's live routing state: who of its members can take a conversation, ordered for each
/// strategy, and who is waiting at each level.
struct GroupState: Sendable {
    var definition: RoutingGroup
    var positions: [AgentID: Int]
    /// Available members by position (round-robin).
    var available = SortedBag<Int>()
    var byLoad = SortedBag<LoadKey>()
    var byToday = SortedBag<LoadKey>()
    /// Per skill, the available members having it; kept only for the skill strategy.
    var bySkill: [String: SortedBag<SkillKey>] = [:]
    /// Members not available (offline, away, at capacity), by position.
    var unavailable = SortedBag<Int>()
    /// Position of the member chosen last (round-robin continues after it).
    var lastChosen = -1
    /// Waiting conversations per level, by arrival sequence.
    var queues = [SortedBag<UInt64>](repeating: SortedBag<UInt64>(), count: RoutingState.maxLevel + 1)

    init(definition: RoutingGroup) {
        self.definition = definition
        var positions: [AgentID: Int] = [:]
        for (position, member) in definition.members.enumerated() { positions[member] = position }
        self.positions = positions
    }

    var waitingCount: Int { queues.reduce(0) { $0 + $1.count } }

    /// Up to `limit` waiting sequences in service order: highest level first, FIFO within.
    func firstWaiting(_ limit: Int) -> [UInt64] {
        var result: [UInt64] = []
        for level in stride(from: RoutingState.maxLevel, through: 0, by: -1) {
            for sequence in queues[level] {
                guard result.count < limit else { return result }
                result.append(sequence)
            }
        }
        return result
    }

    mutating func attach(_ agent: AgentState) { index(agent, adding: true) }
    mutating func detach(_ agent: AgentState) { index(agent, adding: false) }

    /// Adds an agent's keys to the indexes, or removes them (with the values they were added with).
    private mutating func index(_ agent: AgentState, adding: Bool) {
        func apply<Key>(_ bag: inout SortedBag<Key>, _ key: Key) {
            if adding { bag.insert(key) } else { bag.remove(key) }
        }
        guard let position = positions[agent.agent.id] else { return }
        guard agent.isAvailable else {
            apply(&unavailable, position)
            return
        }
        apply(&available, position)
        apply(&byLoad, LoadKey(load: agent.load, position: position))
        apply(&byToday, LoadKey(load: agent.today, position: position))
        guard definition.strategy == .skill else { return }
        for (skill, level) in agent.agent.skills {
            var bag = bySkill.removeValue(forKey: skill) ?? SortedBag()  // moved out: no copy on write
            apply(&bag, SkillKey(level: level, load: agent.load, position: position))
            bySkill[skill] = bag.isEmpty ? nil : bag
        }
    }
}

/// One agent's live state.
struct AgentState: Sendable {
    var agent: Agent
    var presence: Presence = .offline
    /// Open conversations assigned now.
    var load = 0
    /// Conversations assigned since midnight.
    var today = 0
    /// Groups the agent is a member of.
    var groups: Set<GroupID> = []
    var conversations: Set<ConversationID> = []

    var isAvailable: Bool { presence == .online && load < agent.capacity }

    var unavailableReason: SkipReason? {
        switch presence {
        case .offline: .offline
        case .away: .away
        case .online: load < agent.capacity ? nil : .atCapacity
        }
    }
}
