import Foundation
import SwitchboardCore
import Testing

@testable import SwitchboardRouting

@Suite("Routing invariants under random operations")
struct ConcurrencyPropertyTests {
    /// Random arrivals, closes, presence changes, transfers and overflow ticks across three groups
    /// with shared members: after every step no agent is over capacity, no conversation is both
    /// assigned and waiting or assigned twice, loads match assignments and the indexes match
    /// presence and load. (The engine serialises all calls, so this is the concurrent case.)
    @Test("capacity is never exceeded and nothing is assigned twice", arguments: [1, 2, 3, 4, 5])
    func randomOperations(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        var f = RoutingFixture()
        let agents = (1...12).map { "a\($0)" }
        for (index, id) in agents.enumerated() {
            try f.agent(id, capacity: 1 + index % 3, skills: ["s\(index % 3)": 1 + index % 10], online: index % 2 == 0)
        }
        try f.group("overflow", members: Array(agents[8...]), strategy: .leastLoadToday)
        try f.group("g1", members: Array(agents[0..<6]), strategy: .roundRobin, overflow: ("overflow", 20))
        try f.group("g2", members: Array(agents[3..<10]), strategy: .skill, offlinePolicy: .keep)
        try f.group("g3", members: Array(agents[5...]), strategy: .leastLoad)
        var open: [ConversationID] = []
        var everAssigned: [ConversationID: Int] = [:]
        for _ in 0..<2_000 {
            f.clock = f.clock.addingTimeInterval(Double(Int.random(in: 0...3, using: &random)))
            var decisions: [RoutingDecision] = []
            switch Int.random(in: 0..<10, using: &random) {
            case 0...3:
                let group = ["g1", "g2", "g3", "overflow"].randomElement(using: &random) ?? "g1"
                let rated: Set<String> = Bool.random(using: &random) ? [agents.randomElement(using: &random) ?? "a1"] : []
                let request = f.request(
                    group: group, level: Int.random(in: 0...10, using: &random),
                    skill: "s\(Int.random(in: 0...3, using: &random))",
                    exclusive: Int.random(in: 0..<8, using: &random) == 0 ? agents.randomElement(using: &random) : nil,
                    returning: Bool.random(using: &random) ? agents.randomElement(using: &random) : nil, badlyRated: rated)
                let decision = try f.state.route(request, now: f.clock)
                decisions.append(decision)
                if let agent = decision.agent { #expect(!request.badlyRated.contains(agent)) }
                open.append(request.conversationID)
            case 4...5:
                guard !open.isEmpty else { continue }
                let conversation = open.remove(at: Int.random(in: 0..<open.count, using: &random))
                decisions += f.state.release(conversation, now: f.clock)
            case 6...7:
                let agent = AgentID(agents.randomElement(using: &random) ?? "a1")
                let presence = Presence.allCases.randomElement(using: &random) ?? .online
                decisions += try f.state.setPresence(presence, of: agent, now: f.clock)
            case 8:
                guard let conversation = open.randomElement(using: &random) else { continue }
                let target: RoutingState.TransferTarget =
                    Bool.random(using: &random)
                    ? .agent(AgentID(agents.randomElement(using: &random) ?? "a1"))
                    : .group(GroupID(["g1", "g2", "g3"].randomElement(using: &random) ?? "g1"))
                do {
                    decisions += try f.state.transfer(conversation, to: target, force: false, note: nil, now: f.clock)
                } catch let error {
                    #expect([409, 404].contains(error.httpStatus))
                }
            default:
                decisions += f.state.overflow(now: f.clock)
            }
            for decision in decisions where decision.outcome == .assigned {
                everAssigned[decision.conversationID, default: 0] += 1
            }
            let problems = f.state.invariantViolations()
            #expect(problems.isEmpty, "\(problems)")
            if !problems.isEmpty { return }
        }
        // Every open conversation is either with one agent or waiting in exactly one queue.
        for conversation in open {
            let assigned = f.state.assignee(of: conversation) != nil
            let waiting = f.state.queuePosition(of: conversation) != nil
            #expect(assigned != waiting)
        }
        #expect(!everAssigned.isEmpty)
    }
}
