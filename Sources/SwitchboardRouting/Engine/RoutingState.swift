import Foundation
import SwitchboardCore

/// The whole routing picture in memory: agents with presence and load, groups with their
/// availability indexes and queues, and every open conversation routing holds.
///
/// A value type with synchronous methods: every change happens at once, so no agent can exceed
/// capacity and no conversation can be assigned twice however calls interleave, and tests can
/// drive it deterministically. ``RoutingEngine`` wraps it in an actor and persists each change.
/// Each method that changes assignments returns the decisions it made, for storing.
public struct RoutingState: Sendable {
    public static let maxLevel = 10
    /// How many unavailable members an explanation lists by name.
    static let listedUnavailable = 10
    /// How many waiting conversations one drain pass looks at for an agent they may take.
    static let drainScanLimit = 256

    private(set) var agents: [AgentID: AgentState] = [:]
    private(set) var groups: [GroupID: GroupState] = [:]
    private var assignments: [ConversationID: Assignment] = [:]
    private var waiting: [ConversationID: Waiting] = [:]
    private var waitingBySequence: [UInt64: ConversationID] = [:]
    private var nextSequence: UInt64 = 1
    /// The day `today` counts refer to, as days since 1970 in `timeZone`.
    private var currentDay: Int?
    private let timeZone: TimeZone

    struct Assignment: Sendable {
        var agent: AgentID
        var group: GroupID
        var request: RoutingRequest
        var sequence: UInt64
        var since: Date
    }

    struct Waiting: Sendable {
        var request: RoutingRequest
        var sequence: UInt64
        var since: Date
    }

    /// `timeZone` decides when "today" starts for the least-load-today strategy.
    public init(timeZone: TimeZone = TimeZone(identifier: "UTC") ?? .current) {
        self.timeZone = timeZone
    }

    // MARK: - Reading

    public var agentIDs: [AgentID] { agents.keys.sorted() }
    public var groupIDs: [GroupID] { groups.keys.sorted() }
    public func agent(_ id: AgentID) -> Agent? { agents[id]?.agent }
    public func group(_ id: GroupID) -> RoutingGroup? { groups[id]?.definition }
    public func presence(of id: AgentID) -> Presence? { agents[id]?.presence }
    public func load(of id: AgentID) -> Int? { agents[id]?.load }
    public func assignedToday(to id: AgentID) -> Int? { agents[id]?.today }
    public func groups(of id: AgentID) -> [GroupID] { agents[id]?.groups.sorted() ?? [] }
    public func conversations(of id: AgentID) -> Set<ConversationID> { agents[id]?.conversations ?? [] }
    public func assignee(of conversation: ConversationID) -> AgentID? { assignments[conversation]?.agent }
    public func isRouted(_ conversation: ConversationID) -> Bool {
        assignments[conversation] != nil || waiting[conversation] != nil
    }

    /// Where a waiting conversation stands: its group, level and how many wait ahead at that level.
    public func queuePosition(of conversation: ConversationID) -> (group: GroupID, level: Int, ahead: Int)? {
        guard let entry = waiting[conversation], let group = groups[entry.request.group] else { return nil }
        return (entry.request.group, entry.request.level, group.queues[entry.request.level].rank(of: entry.sequence))
    }

    /// Waiting conversations of a group per level (index = level).
    public func queueLengths(of group: GroupID) -> [Int] {
        groups[group]?.queues.map(\.count) ?? []
    }

    public func onlineMembers(of group: GroupID) -> Int {
        groups[group]?.definition.members.count { agents[$0]?.presence == .online } ?? 0
    }

    // MARK: - Agents and groups

    /// Adds an agent or updates its definition (presence, load and memberships are kept). A
    /// larger capacity lets waiting conversations drain to the agent at once.
    public mutating func putAgent(_ agent: Agent, now: Date) throws(RoutingError) -> [RoutingDecision] {
        do { try agent.validate() } catch { throw .invalid(error) }
        if agents[agent.id] != nil {
            updateAgent(agent.id) { $0.agent = agent }
        } else {
            agents[agent.id] = AgentState(agent: agent)
        }
        return drain(forAgent: agent.id, now: now)
    }

    /// Removes an agent from routing and from every group; their open conversations go back to
    /// the queue.
    public mutating func removeAgent(_ id: AgentID, now: Date) throws(RoutingError) -> [RoutingDecision] {
        guard var state = agents[id] else { throw .unknownAgent(id) }
        updateAgent(id) { $0.presence = .offline }
        state.presence = .offline
        var decisions = requeue(state.conversations.sorted { $0.rawValue < $1.rawValue }, now: now)
        for groupID in state.groups.sorted() {
            guard var definition = groups[groupID]?.definition else { continue }
            definition.members.removeAll { $0 == id }
            decisions += (try? putGroup(definition, now: now)) ?? []
        }
        agents[id] = nil
        return decisions
    }

    /// Sets an agent's presence. Coming online drains waiting conversations to them; going
    /// offline hands their conversations back to the queue in groups whose policy says so.
    public mutating func setPresence(_ presence: Presence, of id: AgentID, now: Date) throws(RoutingError)
        -> [RoutingDecision]
    {
        guard let state = agents[id] else { throw .unknownAgent(id) }
        guard state.presence != presence else { return [] }
        updateAgent(id) { $0.presence = presence }
        var decisions: [RoutingDecision] = []
        if presence == .offline {
            let handBack = state.conversations.filter { conversation in
                guard let group = assignments[conversation]?.group else { return false }
                return groups[group]?.definition.offlinePolicy != .keep
            }
            decisions += requeue(handBack.sorted { $0.rawValue < $1.rawValue }, now: now)
        }
        return decisions + drain(forAgent: id, now: now)
    }

    /// Adds a group or replaces its definition. Members must be known agents; waiting
    /// conversations stay queued; the round-robin position is kept when its member stays.
    public mutating func putGroup(_ group: RoutingGroup, now: Date) throws(RoutingError) -> [RoutingDecision] {
        do { try group.validate() } catch { throw .invalid(error) }
        for (index, member) in group.members.enumerated() where agents[member] == nil {
            throw .invalid(ValidationError(field: "members[\(index)]", reason: "names no agent '\(member)'"))
        }
        if let overflow = group.overflowGroup, groups[overflow] == nil {
            throw .invalid(ValidationError(field: "overflowGroup", reason: "names no group '\(overflow)'"))
        }
        var fresh = GroupState(definition: group)
        if let old = groups[group.id] {
            fresh.queues = old.queues
            if old.lastChosen >= 0, old.lastChosen < old.definition.members.count,
                let position = fresh.positions[old.definition.members[old.lastChosen]]
            {
                fresh.lastChosen = position
            }
            for member in old.definition.members { agents[member]?.groups.remove(group.id) }
        }
        for member in group.members {
            agents[member]?.groups.insert(group.id)
            if let agent = agents[member] { fresh.attach(agent) }
        }
        groups[group.id] = fresh
        return drain(group: group.id, now: now)
    }

    /// Removes a group that nothing depends on any more.
    public mutating func removeGroup(_ id: GroupID) throws(RoutingError) {
        guard let group = groups[id] else { throw .unknownGroup(id) }
        if group.waitingCount > 0 {
            throw .groupInUse(id, reason: "\(group.waitingCount) conversations are waiting in its queue")
        }
        if let open = assignments.values.first(where: { $0.group == id }) {
            throw .groupInUse(id, reason: "conversation \(open.request.conversationID) is assigned through it")
        }
        if let other = groups.values.first(where: { $0.definition.overflowGroup == id }) {
            throw .groupInUse(id, reason: "group '\(other.definition.id)' overflows into it")
        }
        for member in group.definition.members { agents[member]?.groups.remove(id) }
        groups[id] = nil
    }

    // MARK: - Conversations

    /// Routes a conversation entering its group: VIP exclusive agent → returning agent → the
    /// group's strategy; nobody available → the group's queue at the request's level.
    public mutating func route(_ request: RoutingRequest, now: Date) throws(RoutingError) -> RoutingDecision {
        guard groups[request.group] != nil else { throw .unknownGroup(request.group) }
        guard !isRouted(request.conversationID) else { throw .alreadyRouted(request.conversationID) }
        let sequence = nextSequence
        nextSequence += 1
        return place(request, sequence: sequence, now: now)
    }

    /// The conversation is closed: its agent's capacity frees (and the queue drains to them) or
    /// it leaves the queue.
    public mutating func release(_ conversation: ConversationID, now: Date) -> [RoutingDecision] {
        guard let agent = unassign(conversation) else { return [] }
        return drain(forAgent: agent, now: now)
    }

    /// Takes a conversation out of routing without draining; returns the agent it had.
    private mutating func unassign(_ conversation: ConversationID) -> AgentID? {
        if let entry = waiting.removeValue(forKey: conversation) {
            groups[entry.request.group]?.queues[entry.request.level].remove(entry.sequence)
            waitingBySequence[entry.sequence] = nil
            return nil
        }
        guard let assignment = assignments.removeValue(forKey: conversation) else { return nil }
        updateAgent(assignment.agent) {
            $0.load -= 1
            $0.conversations.remove(conversation)
        }
        return assignment.agent
    }

    /// Where a transfer goes.
    public enum TransferTarget: Sendable, Hashable {
        case agent(AgentID)
        case group(GroupID)
    }

    /// Moves a conversation (assigned or waiting) to another agent or group. An agent target
    /// must be online and under capacity unless `force` (an admin's override). The first
    /// decision is the transfer's; the rest are drains it caused.
    public mutating func transfer(
        _ conversation: ConversationID, to target: TransferTarget, force: Bool, note: String?, now: Date
    ) throws(RoutingError) -> [RoutingDecision] {
        guard var request = assignments[conversation]?.request ?? waiting[conversation]?.request else {
            throw .unknownConversation(conversation)
        }
        let sequence = assignments[conversation]?.sequence ?? waiting[conversation]?.sequence ?? nextSequence
        switch target {
        case .agent(let agentID):
            guard let agent = agents[agentID] else { throw .unknownAgent(agentID) }
            if assignments[conversation]?.agent == agentID { return [] }
            if !force {
                guard agent.presence == .online else { throw .agentNotOnline(agentID) }
                guard agent.load < agent.agent.capacity else { throw .agentAtCapacity(agentID) }
            }
            let previous = unassign(conversation)
            // A member keeps the conversation in its group; otherwise it moves to the agent's first group.
            if groups[request.group]?.positions[agentID] == nil, let first = agent.groups.sorted().first {
                request.group = first
            }
            assign(request, to: agentID, sequence: sequence, since: now)
            let decision = RoutingDecision(
                conversationID: conversation, outcome: .assigned, group: request.group, agent: agentID,
                step: .transfer, rule: request.rule, level: request.level, ahead: nil, skipped: [],
                unavailableMembers: groups[request.group]?.unavailable.count ?? 0,
                detail: "transferred to agent \(agentID)\(force ? " (forced)" : "")\(note.map { ": \($0)" } ?? "")",
                decidedAt: now)
            return [decision] + (previous.map { drain(forAgent: $0, now: now) } ?? [])
        case .group(let groupID):
            guard groups[groupID] != nil else { throw .unknownGroup(groupID) }
            let previous = unassign(conversation)
            request.group = groupID
            var decision = place(request, sequence: sequence, now: now)
            decision.step = .transfer
            decision.detail = "transferred to group \(groupID)\(note.map { ": \($0)" } ?? ""); \(decision.detail)"
            return [decision] + (previous.map { drain(forAgent: $0, now: now) } ?? [])
        }
    }

    /// Moves conversations that waited longer than their group's `maxWaitSeconds` to its
    /// overflow group, where they are routed at once or wait again (the wait there counts anew;
    /// their arrival order is kept).
    public mutating func overflow(now: Date) -> [RoutingDecision] {
        var decisions: [RoutingDecision] = []
        for groupID in groups.keys.sorted() {
            guard let group = groups[groupID], let target = group.definition.overflowGroup,
                let maxWait = group.definition.maxWaitSeconds, groups[target] != nil
            else { continue }
            let deadline = now.addingTimeInterval(-Double(maxWait))
            var due: [ConversationID] = []
            for queue in group.queues {
                for sequence in queue {
                    guard let conversation = waitingBySequence[sequence], let entry = waiting[conversation] else {
                        continue
                    }
                    if entry.since <= deadline { due.append(conversation) }
                }
            }
            for conversation in due {
                guard var entry = waiting.removeValue(forKey: conversation) else { continue }
                groups[groupID]?.queues[entry.request.level].remove(entry.sequence)
                waitingBySequence[entry.sequence] = nil
                entry.request.group = target
                var decision = place(entry.request, sequence: entry.sequence, now: now)
                decision.detail = "waited over \(maxWait) s in \(groupID), overflowed to \(target); \(decision.detail)"
                decisions.append(decision)
            }
        }
        return decisions
    }

    // MARK: - Restoring after a restart

    /// Where routing holds a conversation now, in the form the store keeps; `nil` once released.
    public func entry(for conversation: ConversationID) -> RoutingEntry? {
        if let assignment = assignments[conversation] {
            return RoutingEntry(
                state: .assigned, request: assignment.request, agent: assignment.agent,
                sequence: assignment.sequence, since: assignment.since)
        }
        if let entry = waiting[conversation] {
            return RoutingEntry(
                state: .waiting, request: entry.request, agent: nil, sequence: entry.sequence, since: entry.since)
        }
        return nil
    }

    /// Puts back an entry read from the store (no decision is made). Restore entries in
    /// sequence order; later arrivals keep getting larger sequences.
    public mutating func restore(_ entry: RoutingEntry) {
        guard !isRouted(entry.request.conversationID), groups[entry.request.group] != nil else { return }
        nextSequence = max(nextSequence, entry.sequence + 1)
        switch entry.state {
        case .assigned:
            guard let agent = entry.agent, agents[agent] != nil else {
                enqueue(entry.request, sequence: entry.sequence, since: entry.since)
                return
            }
            assign(entry.request, to: agent, sequence: entry.sequence, since: entry.since, countsToday: false)
        case .waiting:
            enqueue(entry.request, sequence: entry.sequence, since: entry.since)
        case .bot:
            return  // the engine keeps bot-held conversations
        }
    }

    /// Sets an agent's presence as stored, without handing back or draining (restoring).
    public mutating func restorePresence(_ presence: Presence, of id: AgentID) {
        updateAgent(id) { $0.presence = presence }
    }

    /// Sets the number of conversations an agent was given today (from the store after a restart).
    public mutating func restoreAssignedToday(_ count: Int, of id: AgentID, now: Date) {
        rollDay(now)
        updateAgent(id) { $0.today = count }
    }

    /// Drains every queue to whoever is available (after restoring).
    public mutating func drainAll(now: Date) -> [RoutingDecision] {
        groups.keys.sorted().flatMap { drain(group: $0, now: now) }
    }

    // MARK: - Decisions

    /// Assigns now or queues; the request's group exists.
    private mutating func place(_ request: RoutingRequest, sequence: UInt64, now: Date) -> RoutingDecision {
        rollDay(now)
        var skipped: [SkippedCandidate] = []
        if let (agent, step, detail) = choose(request, skipped: &skipped) {
            // Explained as the group stood when choosing, before the chosen agent's load changes.
            let made = decision(request, agent: agent, step: step, skipped: skipped, detail: detail, now: now)
            assign(request, to: agent, sequence: sequence, since: now)
            return made
        }
        enqueue(request, sequence: sequence, since: now)
        let ahead = queuePosition(of: request.conversationID)?.ahead ?? 0
        var decision = decision(
            request, agent: nil, step: .queue, skipped: skipped,
            detail: "no member of \(request.group) could take it; waiting at level \(request.level) with \(ahead) ahead",
            now: now)
        decision.ahead = ahead
        return decision
    }

    private func decision(
        _ request: RoutingRequest, agent: AgentID?, step: RoutingStep, skipped: [SkippedCandidate], detail: String,
        now: Date
    ) -> RoutingDecision {
        var skipped = skipped
        if let group = groups[request.group] {
            // Name the first few unavailable members; the count covers all of them.
            var listed = 0
            for position in group.unavailable {
                guard listed < Self.listedUnavailable else { break }
                let member = group.definition.members[position]
                if skipped.contains(where: { $0.agent == member }) { continue }
                if let reason = agents[member]?.unavailableReason {
                    skipped.append(SkippedCandidate(agent: member, reason: reason))
                    listed += 1
                }
            }
        }
        return RoutingDecision(
            conversationID: request.conversationID, outcome: agent == nil ? .queued : .assigned, group: request.group,
            agent: agent, step: step, rule: request.rule, level: request.level, ahead: nil, skipped: skipped,
            unavailableMembers: groups[request.group]?.unavailable.count ?? 0, detail: detail, decidedAt: now)
    }

    /// Candidate selection in order; records who was passed over and why.
    private func choose(_ request: RoutingRequest, skipped: inout [SkippedCandidate])
        -> (AgentID, RoutingStep, String)?
    {
        guard let group = groups[request.group] else { return nil }
        if let exclusive = request.exclusiveAgent {
            if let reason = personalReason(exclusive, request: request, requireMember: false, group: group) {
                skipped.append(SkippedCandidate(agent: exclusive, reason: reason))
            } else {
                return (exclusive, .exclusiveAgent, "the customer's VIP exclusive agent \(exclusive) is available")
            }
        }
        if let returning = request.returningAgent, returning != request.exclusiveAgent {
            if let reason = personalReason(returning, request: request, requireMember: true, group: group) {
                skipped.append(SkippedCandidate(agent: returning, reason: reason))
            } else {
                return (returning, .returningAgent, "\(returning) served this customer last")
            }
        }
        let members = group.definition.members
        var passed: [SkippedCandidate] = []
        func eligible(_ position: Int) -> Bool {
            let member = members[position]
            if request.badlyRated.contains(member) {
                if !passed.contains(where: { $0.agent == member }) {
                    passed.append(SkippedCandidate(agent: member, reason: .ratedBadly))
                }
                return false
            }
            return true
        }
        defer { skipped += passed }
        let step = RoutingStep(group.definition.strategy)
        switch group.definition.strategy {
        case .roundRobin:
            let position =
                group.available.first(after: group.lastChosen, where: eligible)
                ?? group.available.first(where: eligible)
            return position.map { (members[$0], step, "next available member in round-robin order") }
        case .leastLoad:
            return group.byLoad.first(where: { eligible($0.position) }).map {
                (members[$0.position], step, "fewest open conversations (\($0.load))")
            }
        case .leastLoadToday:
            return group.byToday.first(where: { eligible($0.position) }).map {
                (members[$0.position], step, "fewest conversations assigned today (\($0.load))")
            }
        case .skill:
            if let skill = request.requiredSkill,
                let key = group.bySkill[skill]?.first(where: { eligible($0.position) })
            {
                return (members[key.position], step, "highest \(skill) level (\(key.level)), then lowest load")
            }
            let why = request.requiredSkill.map { "no available member has skill \($0)" } ?? "no skill required"
            return group.byLoad.first(where: { eligible($0.position) }).map {
                (members[$0.position], .leastLoad, "\(why); fewest open conversations (\($0.load))")
            }
        case .source:
            if let (match, mapped) = group.definition.sources.agents(
                channel: request.channelID, page: request.sourcePage, keyword: request.keyword)
            {
                let best = mapped.compactMap { agent -> LoadKey? in
                    guard let position = group.positions[agent], let state = agents[agent], state.isAvailable,
                        eligible(position)
                    else { return nil }
                    return LoadKey(load: state.load, position: position)
                }.min()
                if let best { return (members[best.position], step, "mapped to \(match); fewest open conversations") }
                return group.byLoad.first(where: { eligible($0.position) }).map {
                    (members[$0.position], .leastLoad, "nobody mapped to \(match) is available; fewest open conversations")
                }
            }
            return group.byLoad.first(where: { eligible($0.position) }).map {
                (members[$0.position], .leastLoad, "no source mapping matched; fewest open conversations")
            }
        }
    }

    /// Why a named agent (VIP exclusive or returning) cannot take the conversation, if they cannot.
    private func personalReason(_ id: AgentID, request: RoutingRequest, requireMember: Bool, group: GroupState)
        -> SkipReason?
    {
        guard let agent = agents[id] else { return .unknownAgent }
        if request.badlyRated.contains(id) { return .ratedBadly }
        if requireMember && group.positions[id] == nil { return .notMember }
        return agent.unavailableReason
    }

    private mutating func assign(
        _ request: RoutingRequest, to agent: AgentID, sequence: UInt64, since: Date, countsToday: Bool = true
    ) {
        updateAgent(agent) {
            $0.load += 1
            if countsToday { $0.today += 1 }
            $0.conversations.insert(request.conversationID)
        }
        if let position = groups[request.group]?.positions[agent] { groups[request.group]?.lastChosen = position }
        assignments[request.conversationID] = Assignment(
            agent: agent, group: request.group, request: request, sequence: sequence, since: since)
    }

    private mutating func enqueue(_ request: RoutingRequest, sequence: UInt64, since: Date) {
        groups[request.group]?.queues[request.level].insert(sequence)
        waiting[request.conversationID] = Waiting(request: request, sequence: sequence, since: since)
        waitingBySequence[sequence] = request.conversationID
    }

    /// Takes conversations back from their agents and queues them again ahead of later
    /// arrivals (their original arrival order is kept).
    private mutating func requeue(_ conversations: [ConversationID], now: Date) -> [RoutingDecision] {
        var decisions: [RoutingDecision] = []
        for conversation in conversations {
            guard let assignment = assignments.removeValue(forKey: conversation) else { continue }
            updateAgent(assignment.agent) {
                $0.load -= 1
                $0.conversations.remove(conversation)
            }
            guard groups[assignment.group] != nil else { continue }
            var decision = place(assignment.request, sequence: assignment.sequence, now: now)
            decision.detail = "handed back by \(assignment.agent); \(decision.detail)"
            decisions.append(decision)
        }
        return decisions
    }

    /// Gives waiting conversations of a group to its available members, highest level first,
    /// FIFO within a level.
    private mutating func drain(group groupID: GroupID, now: Date) -> [RoutingDecision] {
        var decisions: [RoutingDecision] = []
        // No local copy of the group is held while it changes: a copy would make every queue
        // removal below copy the queue's storage.
        while groups[groupID]?.available.isEmpty == false, groups[groupID]?.waitingCount ?? 0 > 0 {
            let candidates = groups[groupID]?.firstWaiting(Self.drainScanLimit) ?? []
            var assignedAny = false
            for sequence in candidates {
                guard groups[groupID]?.available.isEmpty == false else { break }
                guard let conversation = waitingBySequence[sequence], let entry = waiting[conversation] else { continue }
                var skipped: [SkippedCandidate] = []
                guard let (agent, step, detail) = choose(entry.request, skipped: &skipped) else { continue }
                waiting[conversation] = nil
                waitingBySequence[sequence] = nil
                groups[groupID]?.queues[entry.request.level].remove(sequence)
                let waited = now.timeIntervalSince(entry.since)
                var made = decision(
                    entry.request, agent: agent, step: step, skipped: skipped,
                    detail: "from the queue after \(Int(waited.rounded())) s: \(detail)", now: now)
                made.waitedSeconds = waited
                decisions.append(made)
                assign(entry.request, to: agent, sequence: sequence, since: now)
                assignedAny = true
            }
            if !assignedAny { break }
        }
        return decisions
    }

    /// Drains the groups an agent belongs to, the group with the most urgent waiting
    /// conversation (highest level, then longest waiting) first.
    private mutating func drain(forAgent id: AgentID, now: Date) -> [RoutingDecision] {
        guard let agent = agents[id], agent.isAvailable else { return [] }
        func urgency(_ groupID: GroupID) -> (Int, UInt64)? {
            guard let group = groups[groupID] else { return nil }
            for level in stride(from: Self.maxLevel, through: 0, by: -1) {
                if let first = group.queues[level].first { return (-level, first) }
            }
            return nil
        }
        let ordered = agent.groups.compactMap { group in urgency(group).map { (group, $0) } }
            .sorted { $0.1 < $1.1 }.map(\.0)
        return ordered.flatMap { drain(group: $0, now: now) }
    }

    /// Changes an agent and keeps every index of their groups in step.
    private mutating func updateAgent(_ id: AgentID, _ change: (inout AgentState) -> Void) {
        // Taken out of the dictionary so the change does not copy the agent's sets.
        guard var state = agents.removeValue(forKey: id) else { return }
        for group in state.groups { groups[group]?.detach(state) }
        change(&state)
        for group in state.groups { groups[group]?.attach(state) }
        agents[id] = state
    }

    /// Starts a new day for least-load-today when the date changed.
    private mutating func rollDay(_ now: Date) {
        let day = Int(floor((now.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: now))) / 86_400))
        guard currentDay != day else { return }
        let first = currentDay == nil
        currentDay = day
        guard !first else { return }
        for id in agents.keys where agents[id]?.today != 0 { updateAgent(id) { $0.today = 0 } }
    }

    // MARK: - Self-check

    /// Every broken invariant, described; empty when the state is consistent. Tests call it after
    /// random operations; it walks everything, so it is not for the hot path.
    func invariantViolations(allowOverCapacity: Set<AgentID> = []) -> [String] {
        var problems: [String] = []
        var counted: [AgentID: Int] = [:]
        for (conversation, assignment) in assignments {
            counted[assignment.agent, default: 0] += 1
            if waiting[conversation] != nil { problems.append("\(conversation) is both assigned and waiting") }
            if agents[assignment.agent]?.conversations.contains(conversation) != true {
                problems.append("\(conversation) missing from \(assignment.agent)'s set")
            }
        }
        for (id, agent) in agents {
            if agent.load != counted[id, default: 0] {
                problems.append("\(id) load \(agent.load) but \(counted[id, default: 0]) assignments")
            }
            if agent.load > agent.agent.capacity && !allowOverCapacity.contains(id) {
                problems.append("\(id) over capacity: \(agent.load) > \(agent.agent.capacity)")
            }
            for groupID in agent.groups {
                guard let group = groups[groupID], let position = group.positions[id] else {
                    problems.append("\(id) lists \(groupID) without being a member")
                    continue
                }
                if group.available.contains(position) != agent.isAvailable {
                    problems.append("\(id) availability index wrong in \(groupID)")
                }
                if group.unavailable.contains(position) == agent.isAvailable {
                    problems.append("\(id) unavailability index wrong in \(groupID)")
                }
                if agent.isAvailable && !group.byLoad.contains(LoadKey(load: agent.load, position: position)) {
                    problems.append("\(id) load index stale in \(groupID)")
                }
            }
        }
        var queued = 0
        for (groupID, group) in groups {
            for (level, queue) in group.queues.enumerated() {
                for sequence in queue {
                    queued += 1
                    guard let conversation = waitingBySequence[sequence], let entry = waiting[conversation],
                        entry.request.group == groupID, entry.request.level == level
                    else {
                        problems.append("queue entry \(sequence) of \(groupID) level \(level) dangles")
                        continue
                    }
                }
            }
            if group.available.count + group.unavailable.count != group.definition.members.count {
                problems.append("\(groupID) indexes cover \(group.available.count + group.unavailable.count) of \(group.definition.members.count) members")
            }
        }
        if queued != waiting.count { problems.append("\(waiting.count) waiting but \(queued) queue entries") }
        return problems
    }
}
