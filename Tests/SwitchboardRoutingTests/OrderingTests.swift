import Foundation
import SwitchboardCore
import Testing

@testable import SwitchboardRouting

@Suite("Candidate order and explanations")
struct OrderingTests {
    @Test("VIP exclusive agent comes first, even outside the group, when online and under capacity")
    func exclusiveFirst() throws {
        var f = RoutingFixture()
        for id in ["a1", "a2", "vip"] { try f.agent(id, capacity: 1) }
        try f.group("g", members: ["a1", "a2"])
        let decision = try f.route(f.request(exclusive: "vip", returning: "a2"))
        #expect(decision.agent == AgentID("vip"))
        #expect(decision.step == .exclusiveAgent)
        // Now at capacity: skipped with the reason, the returning agent takes it.
        let next = try f.route(f.request(exclusive: "vip", returning: "a2"))
        #expect(next.agent == AgentID("a2"))
        #expect(next.step == .returningAgent)
        #expect(next.skipped.first == SkippedCandidate(agent: AgentID("vip"), reason: .atCapacity))
    }

    @Test("the returning agent is skipped when rated badly, not a member, or away")
    func returningAgentRules() throws {
        var f = RoutingFixture()
        for id in ["a1", "a2", "outsider"] { try f.agent(id, capacity: 5) }
        try f.group("g", members: ["a1", "a2"], strategy: .leastLoad)
        let badly = try f.route(f.request(returning: "a2", badlyRated: ["a2"]))
        #expect(badly.agent == AgentID("a1"))
        #expect(badly.skipped.contains(SkippedCandidate(agent: AgentID("a2"), reason: .ratedBadly)))
        let outsider = try f.route(f.request(returning: "outsider"))
        #expect(outsider.skipped.contains(SkippedCandidate(agent: AgentID("outsider"), reason: .notMember)))
        _ = try f.state.setPresence(.away, of: AgentID("a1"), now: f.clock)
        let away = try f.route(f.request(returning: "a1"))
        #expect(away.agent == AgentID("a2"))
        #expect(away.skipped.first == SkippedCandidate(agent: AgentID("a1"), reason: .away))
        #expect(away.unavailableMembers == 1)
    }

    @Test("a badly rated agent is never chosen by the strategy; the customer waits instead")
    func badRatingNeverChosen() throws {
        var f = RoutingFixture()
        for id in ["a1", "a2"] { try f.agent(id, capacity: 5) }
        try f.group("g", members: ["a1", "a2"])
        let first = try f.route(f.request(badlyRated: ["a1"]))
        #expect(first.agent == AgentID("a2"))
        #expect(first.skipped == [SkippedCandidate(agent: AgentID("a1"), reason: .ratedBadly)])
        let blocked = try f.route(f.request(badlyRated: ["a1", "a2"]))
        #expect(blocked.outcome == .queued)
        #expect(Set(blocked.skipped.map(\.agent)) == [AgentID("a1"), AgentID("a2")])
        // Even when a1 frees capacity and the queue drains, that customer is not given to a1.
        #expect(f.state.queuePosition(of: blocked.conversationID) != nil)
    }

    @Test("an explanation names unavailable members and counts them")
    func explanationListsUnavailable() throws {
        var f = RoutingFixture()
        try f.agent("a1", capacity: 1)
        try f.agent("a2", online: false)
        try f.agent("a3")
        _ = try f.state.setPresence(.away, of: AgentID("a3"), now: f.clock)
        try f.group("g", members: ["a1", "a2", "a3"])
        let decision = try f.route(f.request())
        #expect(decision.agent == AgentID("a1"))
        #expect(decision.unavailableMembers == 2)
        #expect(decision.skipped.contains(SkippedCandidate(agent: AgentID("a2"), reason: .offline)))
        #expect(decision.skipped.contains(SkippedCandidate(agent: AgentID("a3"), reason: .away)))
        let queued = try f.route(f.request())
        #expect(queued.outcome == .queued)
        #expect(queued.skipped.contains(SkippedCandidate(agent: AgentID("a1"), reason: .atCapacity)))
    }

    @Test("routing the same conversation twice is refused")
    func noDoubleRouting() throws {
        var f = RoutingFixture()
        try f.agent("a1", capacity: 5)
        try f.group("g", members: ["a1"])
        let request = f.request()
        _ = try f.route(request)
        #expect(throws: RoutingError.alreadyRouted(request.conversationID)) { try f.route(request) }
        #expect(f.state.load(of: AgentID("a1")) == 1)
    }
}
