import Foundation
import Logging
import Metrics
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore
import SwitchboardStoreSQLite
import SwitchboardTesting
import Testing

/// The routing engine under real concurrency over a real store: many tasks route, close and
/// change presence at once; afterwards no agent is over capacity, nothing is assigned twice, and
/// an engine rebuilt from the store sees exactly what the live one sees (every change was
/// persisted, in order).
@Suite("Routing engine over SQLite")
struct RoutingEngineConcurrencyTests {
    @Test("concurrent arrivals, closes and presence changes: capacity holds and the store agrees")
    func concurrent() async throws {
        let store = try SQLiteStore(configuration: .init(path: temporaryDatabasePath()))
        try await store.migrate()
        let logger = Logger(label: "test")
        let rules = try RuleBook([RoutingRule(name: "default", then: RuleActions(group: GroupID("g")))])
        let agents = (0..<8).map { Agent(id: AgentID("a\($0)"), name: "A\($0)", capacity: 1 + $0 % 3) }
        let group = RoutingGroup(id: GroupID("g"), name: "G", members: agents.map(\.id), strategy: .leastLoad)
        let engine = RoutingEngine(store: store, rules: rules, logger: logger, metricsFactory: NOOPMetricsHandler.instance)
        try await engine.start(agents: agents, groups: [group])
        for agent in agents where agent.capacity > 1 { _ = try await engine.setPresence(.online, of: agent.id) }

        var receipts: [IngestReceipt] = []
        for batch in 0..<6 {
            let contacts = (0..<50).map { Fixtures.prepared(Fixtures.contact(externalID: "c-\(batch)-\($0)", visitor: "v-\(batch)-\($0)")) }
            let outcomes = try await store.commit(contacts.map { .contact($0) }, policy: ThreadingPolicy(), now: Date())
            for outcome in outcomes { if case .success(.contact(let receipt)) = outcome { receipts.append(receipt) } }
        }
        #expect(receipts.count == 300)
        let conversations = receipts.map(\.conversationID)
        let contexts = try await store.routingContexts(for: receipts.map(\.conversationID))
        let ordered = receipts.compactMap { contexts[$0.conversationID] }
        // Closed after their contexts were read, before routing: routing must let go of them.
        let closedEarly = Array(conversations.suffix(10))
        for conversation in closedEarly { _ = try await store.close(conversation, at: Date()) }

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for chunk in stride(from: 0, to: ordered.count, by: 10) {
                tasks.addTask { _ = try await engine.route(Array(ordered[chunk..<min(chunk + 10, ordered.count)]), consumer: nil) }
            }
            for index in 0..<60 {
                tasks.addTask {
                    let agent = agents[index % agents.count].id
                    _ = try await engine.setPresence([.online, .away, .offline][index % 3], of: agent)
                }
                tasks.addTask {
                    let conversation = conversations[(index * 7) % conversations.count]
                    _ = try await store.close(conversation, at: Date())
                    _ = try await engine.release(conversation)
                }
            }
            try await tasks.waitForAll()
        }

        for conversation in closedEarly {
            #expect(await engine.entry(for: conversation) == nil, "closed before routing, yet held: \(conversation)")
        }
        var assigned: [AgentID: Int] = [:]
        var seen: Set<ConversationID> = []
        for receipt in receipts {
            guard let entry = await engine.entry(for: receipt.conversationID) else { continue }
            #expect(seen.insert(receipt.conversationID).inserted)
            if entry.state == .assigned, let agent = entry.agent { assigned[agent, default: 0] += 1 }
        }
        for view in await engine.agents() {
            #expect(view.load <= view.agent.capacity, "\(view.agent.id) load \(view.load) > \(view.agent.capacity)")
            #expect(view.load == assigned[view.agent.id, default: 0])
        }

        // A second engine built from the store alone agrees with the live one.
        let rebuilt = RoutingEngine(store: store, rules: rules, logger: logger, metricsFactory: NOOPMetricsHandler.instance)
        try await rebuilt.start()
        for receipt in receipts {
            let live = await engine.entry(for: receipt.conversationID)
            let stored = await rebuilt.entry(for: receipt.conversationID)
            #expect(live?.state == stored?.state && live?.agent == stored?.agent, "\(receipt.conversationID): \(String(describing: live)) vs \(String(describing: stored))")
            #expect(await engine.queuePosition(of: receipt.conversationID)?.ahead == rebuilt.queuePosition(of: receipt.conversationID)?.ahead)
        }
        let liveLoads = await engine.agents().map { [$0.agent.id.rawValue: $0.load] }
        let storedLoads = await rebuilt.agents().map { [$0.agent.id.rawValue: $0.load] }
        #expect(liveLoads == storedLoads)
        try await store.close()
    }
}
