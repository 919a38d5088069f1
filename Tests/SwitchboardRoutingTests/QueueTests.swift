import Foundation
import SwitchboardCore
import Testing

@testable import SwitchboardRouting

@Suite("Queues, presence and transfer")
struct QueueTests {
    @Test("a waiting customer sees only the count ahead at their own level")
    func ownLevelCount() throws {
        var f = RoutingFixture()
        try f.agent("a1", online: false)
        try f.group("g", members: ["a1"])
        let low1 = try f.route(f.request(level: 0))
        let vip1 = try f.route(f.request(level: 5))
        let low2 = try f.route(f.request(level: 0))
        let vip2 = try f.route(f.request(level: 5))
        let top = try f.route(f.request(level: 10))
        #expect([low1, vip1, low2, vip2, top].allSatisfy { $0.outcome == .queued })
        #expect(low1.ahead == 0)
        #expect(low2.ahead == 1)
        #expect(vip2.ahead == 1)
        #expect(top.ahead == 0)
        #expect(f.state.queuePosition(of: low2.conversationID)?.ahead == 1)
        #expect(f.state.queuePosition(of: vip2.conversationID)?.level == 5)
        #expect(f.state.queueLengths(of: GroupID("g"))[5] == 2)
        // The first at level 0 leaves: the second now has nobody ahead at its level.
        _ = f.state.release(low1.conversationID, now: f.clock)
        #expect(f.state.queuePosition(of: low2.conversationID)?.ahead == 0)
    }

    @Test("coming online drains at once: higher levels first, FIFO within a level, up to capacity")
    func drainOrder() throws {
        var f = RoutingFixture()
        try f.agent("a1", capacity: 3, online: false)
        try f.group("g", members: ["a1"])
        let order = [0, 3, 0, 3, 10].map { level in f.request(level: level) }
        for request in order { _ = try f.route(request) }
        let drained = try f.state.setPresence(.online, of: AgentID("a1"), now: f.clock)
        #expect(drained.map(\.conversationID) == [order[4], order[1], order[3]].map(\.conversationID))
        #expect(drained.allSatisfy { $0.agent == AgentID("a1") && $0.detail.hasPrefix("from the queue") })
        #expect(f.state.load(of: AgentID("a1")) == 3)
        // Closing one frees capacity: the oldest level-0 conversation is next.
        let next = f.state.release(order[4].conversationID, now: f.clock)
        #expect(next.map(\.conversationID) == [order[0].conversationID])
        #expect(f.state.invariantViolations().isEmpty)
    }

    @Test("a customer who rated the only free agent badly keeps waiting; others behind are served")
    func drainSkipsBadRating() throws {
        var f = RoutingFixture()
        try f.agent("a1", capacity: 2, online: false)
        try f.group("g", members: ["a1"])
        let unhappy = f.request(badlyRated: ["a1"])
        let other = f.request()
        _ = try f.route(unhappy)
        _ = try f.route(other)
        let drained = try f.state.setPresence(.online, of: AgentID("a1"), now: f.clock)
        #expect(drained.map(\.conversationID) == [other.conversationID])
        #expect(f.state.queuePosition(of: unhappy.conversationID)?.ahead == 0)
    }

    @Test("going offline hands conversations back under 'requeue' and keeps them under 'keep'; away keeps")
    func offlinePolicies() throws {
        var f = RoutingFixture()
        try f.agent("a1", capacity: 5)
        try f.agent("a2", capacity: 5, online: false)
        try f.group("requeue", members: ["a1", "a2"])
        try f.group("keep", members: ["a1"], offlinePolicy: .keep)
        let r1 = f.request(group: "requeue")
        let k1 = f.request(group: "keep")
        #expect(try f.assign(r1) == "a1")
        #expect(try f.assign(k1) == "a1")
        _ = try f.state.setPresence(.away, of: AgentID("a1"), now: f.clock)
        #expect(f.state.load(of: AgentID("a1")) == 2)
        #expect(try f.route(f.request(group: "keep")).outcome == .queued)
        let handedBack = try f.state.setPresence(.offline, of: AgentID("a1"), now: f.clock)
        #expect(handedBack.map(\.conversationID) == [r1.conversationID])
        #expect(handedBack.first?.outcome == .queued)
        #expect(f.state.assignee(of: k1.conversationID) == AgentID("a1"))
        // a2 comes online and takes the handed-back conversation.
        let drained = try f.state.setPresence(.online, of: AgentID("a2"), now: f.clock)
        #expect(drained.map(\.conversationID) == [r1.conversationID])
        #expect(f.state.invariantViolations().isEmpty)
    }

    @Test("transfer to an agent respects capacity and presence unless forced; to a group routes again")
    func transfer() throws {
        var f = RoutingFixture()
        try f.agent("a1", capacity: 1)
        try f.agent("a2", capacity: 1)
        try f.agent("b1", capacity: 2)
        try f.group("g", members: ["a1", "a2"])
        try f.group("billing", members: ["b1"])
        let c1 = f.request()
        let c2 = f.request()
        #expect(try f.assign(c1) == "a1")
        #expect(try f.assign(c2) == "a2")
        #expect(throws: RoutingError.agentAtCapacity(AgentID("a2"))) {
            try f.state.transfer(c1.conversationID, to: .agent(AgentID("a2")), force: false, note: nil, now: f.clock)
        }
        let forced = try f.state.transfer(
            c1.conversationID, to: .agent(AgentID("a2")), force: true, note: "speaks German", now: f.clock)
        #expect(forced.first?.step == .transfer)
        #expect(forced.first?.detail == "transferred to agent a2 (forced): speaks German")
        #expect(f.state.load(of: AgentID("a2")) == 2)
        #expect(f.state.invariantViolations(allowOverCapacity: [AgentID("a2")]).isEmpty)
        let moved = try f.state.transfer(c2.conversationID, to: .group(GroupID("billing")), force: false, note: nil, now: f.clock)
        #expect(moved.first?.agent == AgentID("b1"))
        #expect(moved.first?.group == GroupID("billing"))
        #expect(f.state.load(of: AgentID("a2")) == 1)
        _ = try f.state.setPresence(.offline, of: AgentID("b1"), now: f.clock)
        #expect(throws: RoutingError.agentNotOnline(AgentID("b1"))) {
            try f.state.transfer(c1.conversationID, to: .agent(AgentID("b1")), force: false, note: nil, now: f.clock)
        }
    }

    @Test("after max wait a conversation overflows to the overflow group, keeping its level")
    func overflow() throws {
        var f = RoutingFixture()
        try f.agent("a1", online: false)
        try f.agent("o1", capacity: 1)
        try f.group("backup", members: ["o1"])
        try f.group("g", members: ["a1"], overflow: ("backup", 60))
        let old = try f.route(f.request(level: 4))
        f.clock = f.clock.addingTimeInterval(30)
        let young = try f.route(f.request(level: 4))
        #expect(f.state.overflow(now: f.clock).isEmpty)
        f.clock = f.clock.addingTimeInterval(31)
        let moved = f.state.overflow(now: f.clock)
        #expect(moved.map(\.conversationID) == [old.conversationID])
        #expect(moved.first?.agent == AgentID("o1"))
        #expect(moved.first?.detail.contains("overflowed to backup") == true)
        f.clock = f.clock.addingTimeInterval(30)
        let second = f.state.overflow(now: f.clock)
        #expect(second.first?.conversationID == young.conversationID)
        #expect(second.first?.outcome == .queued)
        #expect(f.state.queuePosition(of: young.conversationID)?.group == GroupID("backup"))
        #expect(f.state.queuePosition(of: young.conversationID)?.level == 4)
    }

    @Test("groups and agents validate their definitions and references")
    func validation() throws {
        var f = RoutingFixture()
        try f.agent("a1")
        #expect(throws: RoutingError.invalid(ValidationError(field: "members[1]", reason: "names no agent 'ghost'"))) {
            try f.group("g", members: ["a1", "ghost"])
        }
        #expect(throws: RoutingError.invalid(ValidationError(field: "capacity", reason: "must be an integer 0-1000"))) {
            try f.state.putAgent(Agent(id: AgentID("a2"), name: "A2", capacity: -1), now: f.clock)
        }
        #expect(throws: RoutingError.self) {
            try f.state.putAgent(Agent(id: AgentID("bad id"), name: "x", capacity: 1), now: f.clock)
        }
        #expect(throws: RoutingError.self) {
            try f.state.putAgent(Agent(id: AgentID("a3"), name: "x", skills: ["x": 11], capacity: 1), now: f.clock)
        }
        try f.group("g", members: ["a1"])
        _ = try f.route(f.request(group: "g"))
        #expect(throws: RoutingError.self) { try f.state.removeGroup(GroupID("g")) }
    }

    @Test("removing an agent takes them out of groups and requeues their conversations")
    func removeAgent() throws {
        var f = RoutingFixture()
        try f.agent("a1")
        try f.agent("a2", online: false)
        try f.group("g", members: ["a1", "a2"])
        let c = f.request()
        #expect(try f.assign(c) == "a1")
        let decisions = try f.state.removeAgent(AgentID("a1"), now: f.clock)
        #expect(decisions.first?.outcome == .queued)
        #expect(f.state.group(GroupID("g"))?.members == [AgentID("a2")])
        #expect(f.state.agent(AgentID("a1")) == nil)
        #expect(f.state.invariantViolations().isEmpty)
    }
}
