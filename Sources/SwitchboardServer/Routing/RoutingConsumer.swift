import Foundation
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore

/// Feeds routing from the outbox: every `contact.ingested` event that opened a conversation is
/// routed by the rules, and the consumer's position is saved in the same transaction as the
/// decisions — a crash between the two cannot route a conversation twice or skip one.
///
/// Also applies the agents and groups declared in the configuration at start, sweeps up
/// conversations that were never routed (no rule matched, or the group did not exist yet), and
/// moves conversations past their group's max wait to the overflow group.
struct RoutingConsumer: Service {
    static let name = "routing"

    let store: any GatewayStore
    let engine: RoutingEngine
    let configuration: GatewayConfiguration.Routing
    let wakeup: Wakeup
    /// Raised when rules or groups change: conversations they failed to route are tried again.
    let sweepRequested: Flag
    let reception: Reception
    let logger: Logger
    /// Events read per batch.
    var batchSize = 500
    /// How often never-routed conversations are looked for.
    var sweepInterval: Duration = .seconds(30)

    func run() async throws {
        try await start()
        var position = try await store.consumerPosition(Self.name)
        let clock = ContinuousClock()
        var lastSweep = clock.now - sweepInterval
        var lastOverflow = clock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if sweepRequested.take() || clock.now - lastSweep >= sweepInterval {
                    try await sweep()
                    lastSweep = clock.now
                }
                if clock.now - lastOverflow >= .seconds(configuration.overflowCheckSeconds) {
                    _ = try await engine.overflow()
                    lastOverflow = clock.now
                }
                let events = try await store.events(after: position, limit: batchSize)
                guard let last = events.last else {
                    await wakeup.wait(timeout: .milliseconds(configuration.pollIntervalMilliseconds))
                    continue
                }
                // Without rules nothing can be routed: skip reading contexts (the sweep routes
                // these conversations once rules exist).
                let opened = await engine.hasRules ? Self.openedConversations(events) : []
                let contexts = opened.isEmpty ? [:] : try await store.routingContexts(for: opened)
                let decisions = try await engine.route(
                    opened.compactMap { contexts[$0] }, consumer: ConsumerPosition(consumer: Self.name, position: last.position))
                position = last.position
                // Replies after the position is saved: a crash here can lose a bot answer or a
                // queue notice, never route a conversation twice.
                try await reception.followUp(decisions, firstMessages: contexts.compactMapValues(\.firstMessageText))
                try await answerLaterMessages(events, opened: Set(opened))
            } catch {
                logger.error("routing consumer failed; retrying in 1 s", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Loads routing, then applies the configuration's agents and groups over what the store has.
    func start() async throws {
        if configuration.rules == nil {
            let stored = try await store.loadRoutingRules()
            if !stored.isEmpty { await engine.setRules(try RuleBook(stored)) }
        }
        do {
            try await engine.start(agents: configuration.agents, groups: configuration.groups)
        } catch let failure as SeedFailure {
            let path = "routing.\(failure.list)[\(failure.index)]"
            if case .invalid(let problem) = failure.error {
                throw ConfigError(problems: [ConfigProblem(path: "\(path).\(problem.field)", message: problem.reason)])
            }
            throw ConfigError(problems: [ConfigProblem(path: path, message: failure.error.description)])
        }
    }

    /// The bot's turn on customer messages that continue conversations it holds.
    func answerLaterMessages(_ events: [OutboxEvent], opened: Set<ConversationID>) async throws {
        var pending: [(ConversationID, MessageID)] = []
        for event in events where event.topic == "contact.ingested" {
            guard let conversation = event.conversationID, let message = event.messageID, !opened.contains(conversation),
                await engine.botRequest(for: conversation) != nil
            else { continue }
            pending.append((conversation, message))
        }
        guard !pending.isEmpty else { return }
        let texts = try await store.messageTexts(pending.map(\.1))
        try await reception.answer(pending.map { (conversation: $0.0, text: texts[$0.1] ?? "") })
    }

    /// Routes open conversations routing never placed.
    func sweep() async throws {
        guard await engine.hasRules else { return }
        var routed = 0
        // Batch after batch while every conversation of a batch found its group: a backlog left
        // by missing rules drains at once when they arrive.
        while true {
            let stranded = try await store.unroutedConversations(limit: batchSize)
            guard !stranded.isEmpty else { break }
            let contexts = try await store.routingContexts(for: stranded)
            let decisions = try await engine.route(stranded.compactMap { contexts[$0] }, consumer: nil)
            try await reception.followUp(decisions, firstMessages: contexts.compactMapValues(\.firstMessageText))
            routed += decisions.count
            if decisions.count < stranded.count || stranded.count < batchSize { break }
        }
        if routed > 0 {
            logger.info("routed conversations that had not been routed", metadata: ["count": "\(routed)"])
        }
    }

    /// The conversations a batch of events opened, in order, once each.
    static func openedConversations(_ events: [OutboxEvent]) -> [ConversationID] {
        struct Payload: Decodable { var newConversation: Bool? }
        var seen: Set<ConversationID> = []
        var opened: [ConversationID] = []
        let decoder = JSONDecoder()
        for event in events where event.topic == "contact.ingested" {
            guard let conversation = event.conversationID,
                (try? decoder.decode(Payload.self, from: Data(event.payload.utf8)))?.newConversation == true,
                seen.insert(conversation).inserted
            else { continue }
            opened.append(conversation)
        }
        return opened
    }
}
