import Foundation
import Logging
import Metrics
import SwitchboardCore

/// The live routing service: the in-memory ``RoutingState`` behind an actor, every change
/// written to the ``RoutingStore`` in the order it was made.
///
/// Decisions are made synchronously inside the actor (so capacity and single assignment hold
/// under any concurrency) and then persisted through one ordered write chain. If a write fails,
/// the state is rebuilt from the store — the source of truth — and the caller gets the error.
public actor RoutingEngine {
    private var state: RoutingState
    private let store: any RoutingStore
    private let logger: Logger
    private let metrics: RoutingMetrics
    private let timeZone: TimeZone
    private var rules: RuleBook?
    /// Conversations the bot holds (reception modes), with the request that routes them to
    /// people on hand-over.
    private var botHeld: [ConversationID: (request: RoutingRequest, since: Date)] = [:]
    /// When each unknown group named by a rule was last logged (at most once a minute each).
    private var unknownGroupLogged: [GroupID: Date] = [:]
    private var noRulesLogged = false
    /// Set once ``start(now:agents:groups:)`` has loaded the store: until then every other call
    /// waits, so nothing acts on an empty state after a restart.
    private var isReady = false
    private var readyWaiters: [CheckedContinuation<Void, Never>] = []
    /// The last write in the chain; each new write waits for it.
    private var lastWrite: Task<Void, Never>?

    public init(
        store: any RoutingStore, rules: RuleBook?, timeZone: TimeZone = TimeZone(identifier: "UTC") ?? .current,
        logger: Logger, metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.store = store
        self.rules = rules
        self.timeZone = timeZone
        self.logger = logger
        self.metrics = RoutingMetrics(factory: metricsFactory)
        self.state = RoutingState(timeZone: timeZone)
    }

    // MARK: - Start and rebuild

    /// Loads routing from the store, applies the configuration's agents and groups over it,
    /// drains whatever can be assigned now, and opens the engine to every other call.
    public func start(now: Date = Date(), agents: [Agent] = [], groups: [RoutingGroup] = []) async throws {
        try await rebuild(now: now)
        for (index, agent) in agents.enumerated() {
            do { _ = try await applyAgent(agent, now: now) } catch let error as RoutingError {
                throw SeedFailure(list: "agents", index: index, error: error)
            }
        }
        // Overflow targets may be declared after (or in a cycle with) the groups using them:
        // create every new group without its overflow first, then with it.
        for (index, group) in groups.enumerated() where state.group(group.id) == nil {
            var bare = group
            bare.overflowGroup = nil
            bare.maxWaitSeconds = nil
            do { _ = try await applyGroup(bare, now: now) } catch let error as RoutingError {
                throw SeedFailure(list: "groups", index: index, error: error)
            }
        }
        for (index, group) in groups.enumerated() {
            do { _ = try await applyGroup(group, now: now) } catch let error as RoutingError {
                throw SeedFailure(list: "groups", index: index, error: error)
            }
        }
        let drained = state.drainAll(now: now)
        try await persist(drained, now: now)
        isReady = true
        for waiter in readyWaiters { waiter.resume() }
        readyWaiters = []
    }

    /// Returns once the engine has started.
    private func ready() async {
        guard !isReady else { return }
        await withCheckedContinuation { readyWaiters.append($0) }
    }

    private func rebuild(now: Date) async throws {
        let snapshot = try await store.loadRouting(dayStart: dayStart(of: now))
        state = try Self.state(from: snapshot, timeZone: timeZone, now: now, logger: logger)
        botHeld = [:]
        for entry in snapshot.entries where entry.state == .bot {
            botHeld[entry.request.conversationID] = (entry.request, entry.since)
        }
        metrics.gauges(state)
    }

    static func state(from snapshot: RoutingSnapshot, timeZone: TimeZone, now: Date, logger: Logger) throws
        -> RoutingState
    {
        var state = RoutingState(timeZone: timeZone)
        for (agent, _) in snapshot.agents { _ = try? state.putAgent(agent, now: now) }
        // Groups that overflow into others after those others exist.
        let ordered = snapshot.groups.filter { $0.overflowGroup == nil } + snapshot.groups.filter { $0.overflowGroup != nil }
        var pending = ordered
        while !pending.isEmpty {
            var next: [RoutingGroup] = []
            for group in pending {
                do { _ = try state.putGroup(group, now: now) } catch { next.append(group) }
            }
            if next.count == pending.count {
                for group in next {
                    logger.error("routing group not restored", metadata: ["group": "\(group.id)"])
                }
                break
            }
            pending = next
        }
        for entry in snapshot.entries { state.restore(entry) }
        for (agent, count) in snapshot.assignedToday { state.restoreAssignedToday(count, of: agent, now: now) }
        // Presence last, so restoring it does not drain before every entry is back.
        for (agent, presence) in snapshot.agents { state.restorePresence(presence, of: agent.id) }
        return state
    }

    private func dayStart(of date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.startOfDay(for: date)
    }

    // MARK: - Rules

    public func setRules(_ rules: RuleBook?) {
        self.rules = rules
        noRulesLogged = false
    }

    /// Whether there are rules to route by (without them conversations stay unrouted).
    public var hasRules: Bool { rules != nil }
    public var currentRules: RuleBook? { rules }

    // MARK: - Reading

    public func agents() async -> [AgentView] {
        await ready()
        return state.agentIDs.compactMap(view(of:))
    }
    public func agent(_ id: AgentID) async -> AgentView? {
        await ready()
        return view(of: id)
    }
    public func groups() async -> [RoutingGroup] {
        await ready()
        return state.groupIDs.compactMap { state.group($0) }
    }
    public func group(_ id: GroupID) async -> RoutingGroup? {
        await ready()
        return state.group(id)
    }
    public func queuePosition(of conversation: ConversationID) async -> (group: GroupID, level: Int, ahead: Int)? {
        await ready()
        return state.queuePosition(of: conversation)
    }
    public func entry(for conversation: ConversationID) async -> RoutingEntry? {
        await ready()
        return currentEntry(for: conversation)
    }

    private func currentEntry(for conversation: ConversationID) -> RoutingEntry? {
        if let held = botHeld[conversation] {
            return RoutingEntry(state: .bot, request: held.request, agent: nil, sequence: 0, since: held.since)
        }
        return state.entry(for: conversation)
    }

    /// The request of a conversation the bot holds, if it does.
    public func botRequest(for conversation: ConversationID) async -> RoutingRequest? {
        await ready()
        return botHeld[conversation]?.request
    }

    private func view(of id: AgentID) -> AgentView? {
        guard let agent = state.agent(id) else { return nil }
        return AgentView(
            agent: agent, groups: state.groups(of: id), presence: state.presence(of: id) ?? .offline,
            load: state.load(of: id) ?? 0, assignedToday: state.assignedToday(to: id) ?? 0)
    }

    // MARK: - Changes

    public func putAgent(_ agent: Agent, now: Date = Date()) async throws -> [RoutingDecision] {
        await ready()
        return try await applyAgent(agent, now: now)
    }

    private func applyAgent(_ agent: Agent, now: Date) async throws -> [RoutingDecision] {
        let decisions = try state.putAgent(agent, now: now)
        try await persist(decisions, now: now) { store in try await store.saveAgent(agent, at: now) }
        return decisions
    }

    public func removeAgent(_ id: AgentID, now: Date = Date()) async throws -> [RoutingDecision] {
        await ready()
        let before = state.groups(of: id)
        let decisions = try state.removeAgent(id, now: now)
        let changed = before.compactMap { state.group($0) }
        try await persist(decisions, now: now) { store in
            for group in changed { try await store.saveGroup(group, at: now) }
            try await store.deleteAgent(id)
        }
        return decisions
    }

    public func setPresence(_ presence: Presence, of id: AgentID, now: Date = Date()) async throws -> [RoutingDecision] {
        await ready()
        let decisions = try state.setPresence(presence, of: id, now: now)
        try await persist(decisions, now: now) { store in try await store.savePresence(presence, of: id, at: now) }
        return decisions
    }

    public func putGroup(_ group: RoutingGroup, now: Date = Date()) async throws -> [RoutingDecision] {
        await ready()
        return try await applyGroup(group, now: now)
    }

    private func applyGroup(_ group: RoutingGroup, now: Date) async throws -> [RoutingDecision] {
        let decisions = try state.putGroup(group, now: now)
        try await persist(decisions, now: now) { store in try await store.saveGroup(group, at: now) }
        return decisions
    }

    public func removeGroup(_ id: GroupID) async throws {
        await ready()
        try state.removeGroup(id)
        try await persist([], now: Date()) { store in try await store.deleteGroup(id) }
    }

    /// Routes new conversations by the rules; conversations routing already holds are skipped.
    /// The consumer position is saved in the same transaction as the decisions.
    public func route(_ contexts: [RoutingContext], consumer: ConsumerPosition?, now: Date = Date()) async throws
        -> [RoutingDecision]
    {
        await ready()
        var decisions: [RoutingDecision] = []
        guard let rules else {
            if !noRulesLogged && !contexts.isEmpty {
                logger.warning(
                    "conversations are not routed: no routing rules (set routing.rules or PUT /api/v1/routing/rules); they will be routed once rules exist")
                noRulesLogged = true
            }
            try await persist([], now: now, consumer: consumer)
            return []
        }
        for context in contexts where !context.routed && context.status != .closed {
            guard !state.isRouted(context.conversationID), botHeld[context.conversationID] == nil,
                let request = rules.request(for: context, at: now)
            else { continue }
            guard state.group(request.group) != nil else {
                if unknownGroupLogged[request.group].map({ now.timeIntervalSince($0) >= 60 }) ?? true {
                    unknownGroupLogged[request.group] = now
                    logger.error(
                        "conversations not routed: a rule names an unknown group; they will be routed once it exists",
                        metadata: ["rule": "\(request.rule ?? "")", "group": "\(request.group)"])
                }
                continue
            }
            if let decision = receive(request, now: now) { decisions.append(decision) }
        }
        try await persist(decisions, now: now, consumer: consumer)
        return decisions
    }

    /// Applies the request's reception mode: people (routing now), or the bot.
    private func receive(_ request: RoutingRequest, now: Date) -> RoutingDecision? {
        let mode = request.reception ?? .humanOnly
        let bot: String?
        switch mode {
        case .humanOnly: bot = nil
        case .botFirst, .botOnly: bot = "reception \(mode.rawValue): the bot answers first"
        case .humanFirst:
            let open = state.group(request.group)?.businessHours?.isOpen(at: now) ?? true
            let online = state.onlineMembers(of: request.group) > 0
            bot =
                !open ? "reception human-first: \(request.group) is outside its business hours, the bot stands in"
                : !online ? "reception human-first: nobody in \(request.group) is online, the bot stands in" : nil
        }
        guard let bot else { return try? state.route(request, now: now) }
        botHeld[request.conversationID] = (request, now)
        return RoutingDecision(
            conversationID: request.conversationID, outcome: .bot, group: request.group, agent: nil, step: .bot,
            rule: request.rule, level: request.level, ahead: nil, skipped: [], unavailableMembers: 0, detail: bot,
            decidedAt: now)
    }

    /// The bot hands a conversation to people: it is routed in its group now (or queued).
    public func handOver(_ conversation: ConversationID, reason: String, now: Date = Date()) async throws
        -> [RoutingDecision]
    {
        await ready()
        guard let held = botHeld.removeValue(forKey: conversation) else { return [] }
        guard state.group(held.request.group) != nil, var decision = try? state.route(held.request, now: now) else {
            botHeld[conversation] = held
            throw RoutingError.unknownGroup(held.request.group)
        }
        decision.detail = "handed over by the bot (\(reason)); \(decision.detail)"
        if decision.outcome == .assigned { decision.step = .handover }
        try await persist([decision], now: now)
        return [decision]
    }

    /// A conversation was closed: free its agent's capacity (draining the queue) or drop it from its queue.
    public func release(_ conversation: ConversationID, now: Date = Date()) async throws -> [RoutingDecision] {
        await ready()
        if botHeld.removeValue(forKey: conversation) != nil {
            try await persist([], now: now, released: [conversation])
            return []
        }
        let wasRouted = state.isRouted(conversation)
        let decisions = state.release(conversation, now: now)
        guard wasRouted else { return decisions }
        try await persist(decisions, now: now, released: [conversation])
        return decisions
    }

    public func transfer(
        _ conversation: ConversationID, to target: RoutingState.TransferTarget, force: Bool, note: String?,
        now: Date = Date()
    ) async throws -> [RoutingDecision] {
        await ready()
        // A person takes a conversation from the bot: it enters routing first, then moves.
        var entered: [RoutingDecision] = []
        if let held = botHeld[conversation] {
            var request = held.request
            if case .group(let group) = target { request.group = group }
            guard state.group(request.group) != nil else { throw RoutingError.unknownGroup(request.group) }
            botHeld[conversation] = nil
            if var decision = try? state.route(request, now: now) {
                decision.detail = "taken from the bot; \(decision.detail)"
                entered.append(decision)
            }
            if case .group = target {
                try await persist(entered, now: now)
                return entered
            }
        }
        let decisions = try state.transfer(conversation, to: target, force: force, note: note, now: now)
        try await persist(entered + decisions, now: now)
        return decisions
    }

    /// Moves conversations past their group's max wait to the overflow group.
    public func overflow(now: Date = Date()) async throws -> [RoutingDecision] {
        await ready()
        let decisions = state.overflow(now: now)
        if !decisions.isEmpty { try await persist(decisions, now: now) }
        metrics.gauges(state)
        return decisions
    }

    // MARK: - Persistence

    /// Writes the new entries of the conversations the decisions touched (and of released ones),
    /// then any definition change, in the order changes were made.
    private func persist(
        _ decisions: [RoutingDecision], now: Date, consumer: ConsumerPosition? = nil, released: [ConversationID] = [],
        definitions: (@Sendable (any RoutingStore) async throws -> Void)? = nil
    ) async throws {
        let changes =
            decisions.map {
                RoutingChange(conversationID: $0.conversationID, entry: currentEntry(for: $0.conversationID), decision: $0)
            } + released.map { RoutingChange(conversationID: $0, entry: nil, decision: nil) }
        for decision in decisions { metrics.record(decision) }
        let store = self.store
        let work: @Sendable () async throws -> Set<ConversationID> = {
            if let definitions { try await definitions(store) }
            guard !changes.isEmpty || consumer != nil else { return [] }
            return try await store.saveRouting(changes, consumer: consumer, at: now)
        }
        let closed: Set<ConversationID>
        do {
            closed = try await chained(work)
        } catch {
            logger.error("routing change not saved; reloading routing from the store", metadata: ["error": "\(error)"])
            _ = try? await chained { [weak self] in try await self?.rebuild(now: Date()) }
            throw error
        }
        // Closed while routing decided (the close came before its release could find it):
        // let go of them now, so no agent carries a closed conversation.
        guard !closed.isEmpty else { return }
        var drains: [RoutingDecision] = []
        for conversation in closed.sorted(by: { $0.rawValue < $1.rawValue }) {
            botHeld[conversation] = nil
            drains += state.release(conversation, now: now)
        }
        try await persist(drains, now: now, released: Array(closed))
    }

    private func persist(
        _ decisions: [RoutingDecision], now: Date,
        _ definitions: @escaping @Sendable (any RoutingStore) async throws -> Void
    ) async throws {
        try await persist(decisions, now: now, consumer: nil, released: [], definitions: definitions)
    }

    /// Runs `work` after every earlier write has finished.
    private func chained<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let previous = lastWrite
        let task = Task {
            await previous?.value
            return try await work()
        }
        lastWrite = Task { _ = try? await task.value }
        return try await task.value
    }
}

/// An agent as the API shows it: definition plus live state.
public struct AgentView: Sendable, Hashable {
    public var agent: Agent
    public var groups: [GroupID]
    public var presence: Presence
    public var load: Int
    public var assignedToday: Int
}

/// A configured agent or group the engine could not apply at start.
public struct SeedFailure: Error, Sendable, CustomStringConvertible {
    /// `agents` or `groups`.
    public var list: String
    public var index: Int
    public var error: RoutingError

    public var description: String { "\(list)[\(index)]: \(error)" }
}
