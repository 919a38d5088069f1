import Foundation
import SwitchboardCore
import Testing

@testable import SwitchboardRouting

@Suite("Routing strategies")
struct StrategyTests {
    @Test("round-robin goes through available members in member order and wraps")
    func roundRobin() throws {
        var f = RoutingFixture()
        for id in ["a1", "a2", "a3"] { try f.agent(id, capacity: 10) }
        try f.agent("a4", capacity: 10, online: false)
        try f.group("g", members: ["a1", "a2", "a4", "a3"])
        var chosen: [String?] = []
        for _ in 0..<5 { chosen.append(try f.assign(f.request())) }
        #expect(chosen == ["a1", "a2", "a3", "a1", "a2"])
        // a4 comes online: it is next after a2 in member order.
        _ = try f.state.setPresence(.online, of: AgentID("a4"), now: f.clock)
        #expect(try f.assign(f.request()) == "a4")
        #expect(try f.assign(f.request()) == "a3")
        #expect(f.state.invariantViolations().isEmpty)
    }

    @Test("least-load picks the fewest open conversations, ties by member order")
    func leastLoad() throws {
        var f = RoutingFixture()
        for id in ["a1", "a2", "a3"] { try f.agent(id, capacity: 10) }
        try f.group("g", members: ["a3", "a1", "a2"], strategy: .leastLoad)
        let first = f.request()
        #expect(try f.assign(first) == "a3")
        #expect(try f.assign(f.request()) == "a1")
        #expect(try f.assign(f.request()) == "a2")
        #expect(try f.assign(f.request()) == "a3")
        _ = f.state.release(first.conversationID, now: f.clock)
        _ = f.state.release(ConversationID("conv-4"), now: f.clock)
        // a3 is back to 0 open conversations: least loaded again.
        let decision = try f.route(f.request())
        #expect(decision.agent == AgentID("a3"))
        #expect(decision.step == .leastLoad)
        #expect(f.state.invariantViolations().isEmpty)
    }

    @Test("least-load-today counts today's assignments, not open ones, and resets at midnight")
    func leastLoadToday() throws {
        var f = RoutingFixture()
        for id in ["a1", "a2"] { try f.agent(id, capacity: 10) }
        try f.group("g", members: ["a1", "a2"], strategy: .leastLoadToday)
        // a1 gets two conversations and closes them; a2 gets one and keeps it.
        let c1 = f.request()
        let c2 = f.request()
        #expect(try f.assign(c1) == "a1")
        #expect(try f.assign(c2) == "a2")
        #expect(try f.assign(f.request()) == "a1")
        _ = f.state.release(c1.conversationID, now: f.clock)
        _ = f.state.release(ConversationID("conv-3"), now: f.clock)
        // a1: 0 open, 2 today; a2: 1 open, 1 today → a2.
        #expect(try f.assign(f.request()) == "a2")
        #expect(f.state.assignedToday(to: AgentID("a2")) == 2)
        // The next day everyone starts from zero: ties go by member order.
        f.clock = f.clock.addingTimeInterval(86_400)
        #expect(try f.assign(f.request()) == "a1")
        #expect(f.state.assignedToday(to: AgentID("a2")) == 0)
    }

    @Test("skill picks the highest level, then the lowest load, and falls back to least load")
    func skill() throws {
        var f = RoutingFixture()
        try f.agent("a1", capacity: 1, skills: ["refunds": 3])
        try f.agent("a2", capacity: 1, skills: ["refunds": 7, "presales": 2])
        try f.agent("a3", capacity: 2, skills: ["presales": 9])
        try f.group("g", members: ["a1", "a2", "a3"], strategy: .skill)
        let top = try f.route(f.request(skill: "refunds"))
        #expect(top.agent == AgentID("a2"))
        #expect(top.step == .skill)
        #expect(try f.assign(f.request(skill: "refunds")) == "a1")
        // Nobody with refunds is available: least load among the rest.
        let fallback = try f.route(f.request(skill: "refunds"))
        #expect(fallback.agent == AgentID("a3"))
        #expect(fallback.step == .leastLoad)
        #expect(fallback.detail.contains("no available member has skill refunds"))
        #expect(try f.assign(f.request(skill: "presales")) == "a3")
        #expect(try f.assign(f.request(skill: "presales")) == nil)
    }

    @Test("skill ties on level go to the lower load")
    func skillTieByLoad() throws {
        var f = RoutingFixture()
        try f.agent("a1", capacity: 5, skills: ["billing": 5])
        try f.agent("a2", capacity: 5, skills: ["billing": 5])
        try f.group("g", members: ["a1", "a2"], strategy: .skill)
        #expect(try f.assign(f.request(skill: "billing")) == "a1")
        #expect(try f.assign(f.request(skill: "billing")) == "a2")
        #expect(try f.assign(f.request(skill: "billing")) == "a1")
    }

    @Test("source maps keyword, then the longest page prefix, then channel; otherwise least load")
    func source() throws {
        var f = RoutingFixture()
        for id in ["a1", "a2", "a3", "a4"] { try f.agent(id, capacity: 5) }
        let sources = SourceMap(
            channels: ["wechat-main": [AgentID("a1")]],
            pages: ["https://shop.example/": [AgentID("a2")], "https://shop.example/pricing": [AgentID("a3")]],
            keywords: ["refund": [AgentID("a4")]])
        try f.group("g", members: ["a1", "a2", "a3", "a4"], strategy: .source, sources: sources)
        #expect(try f.assign(f.request(channel: "wechat-main")) == "a1")
        #expect(try f.assign(f.request(page: "https://shop.example/shoes")) == "a2")
        #expect(try f.assign(f.request(page: "https://shop.example/pricing?plan=pro")) == "a3")
        let keyword = try f.route(f.request(page: "https://shop.example/pricing", keyword: "How to get a REFUND"))
        #expect(keyword.agent == AgentID("a4"))
        #expect(keyword.detail.contains("keyword refund"))
        // No mapping: least load over the group (a1..a4 all at 1 except none) → member order.
        let unmapped = try f.route(f.request(channel: "web"))
        #expect(unmapped.step == .leastLoad)
        #expect(unmapped.detail.contains("no source mapping matched"))
    }
}
