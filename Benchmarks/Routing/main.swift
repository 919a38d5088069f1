// Routing decision benchmark: p50/p99 of one routing decision with 1,000 / 10,000 / 100,000
// agents in 500 groups, the same in one group holding every agent (where the indexes matter),
// and the queue drain rate. The baseline, run in the same process, is a linear scan over a
// group's members (what a simple implementation does for least-load).
//
//   swift run -c release switchboard-routing-bench            # all sizes
//   swift run -c release switchboard-routing-bench 1000 10000 # chosen sizes
import Foundation
import SwitchboardCore
import SwitchboardRouting

struct Stats {
    var samples: [Double]  // microseconds
    func percentile(_ p: Double) -> Double {
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
    var line: String { String(format: "p50 %6.2f µs  p99 %6.2f µs", percentile(0.5), percentile(0.99)) }
}

let now = Date(timeIntervalSince1970: 1_790_000_000)
let strategies: [RoutingStrategy] = [.roundRobin, .leastLoad, .leastLoadToday, .skill, .source]
let skills = ["presales", "refunds", "billing", "tech", "vip"]

/// Builds `agents` agents (80 % online) in `groups` groups, each agent in two groups.
func build(agents count: Int, groups groupCount: Int, strategy: RoutingStrategy? = nil) throws -> RoutingState {
    var random = SeededRandom(seed: 7)
    var state = RoutingState()
    var members = [[AgentID]](repeating: [], count: groupCount)
    for index in 0..<count {
        let id = AgentID("agent-\(index)")
        let agent = Agent(
            id: id, name: "Agent \(index)",
            skills: [skills[index % skills.count]: 1 + index % 10, skills[(index + 2) % skills.count]: 1 + (index / 7) % 10],
            capacity: 5 + index % 6)
        _ = try state.putAgent(agent, now: now)
        members[index % groupCount].append(id)
        if groupCount > 1 { members[Int.random(in: 0..<groupCount, using: &random)].append(id) }
    }
    for group in 0..<groupCount {
        var seen: Set<AgentID> = []
        let unique = members[group].filter { seen.insert($0).inserted }
        let sources = SourceMap(
            channels: ["web": Array(unique.prefix(3))], keywords: ["refund": Array(unique.dropFirst(3).prefix(3))])
        _ = try state.putGroup(
            RoutingGroup(
                id: GroupID("group-\(group)"), name: "Group \(group)", members: unique,
                strategy: strategy ?? strategies[group % strategies.count], sources: sources),
            now: now)
    }
    for index in 0..<count where index % 5 != 0 {
        _ = try state.setPresence(.online, of: AgentID("agent-\(index)"), now: now)
    }
    return state
}

/// Routes `decisions` conversations into random groups, releasing each after a while so the
/// centre stays near a steady load; returns the time of each routing decision.
func measure(_ state: inout RoutingState, groups: Int, decisions: Int) throws -> Stats {
    var random = SeededRandom(seed: 11)
    var open: [ConversationID] = []
    var samples: [Double] = []
    samples.reserveCapacity(decisions)
    let clock = ContinuousClock()
    for index in 0..<decisions {
        let request = RoutingRequest(
            conversationID: ConversationID("c-\(index)"), customerID: CustomerID("cust-\(index % 5000)"),
            group: GroupID("group-\(Int.random(in: 0..<groups, using: &random))"), level: index % 11,
            requiredSkill: skills[index % skills.count], channelID: "web", keyword: index % 3 == 0 ? "refund" : nil,
            returningAgent: index % 4 == 0 ? AgentID("agent-\(index % 997)") : nil,
            badlyRated: index % 10 == 0 ? [AgentID("agent-\(index % 991)")] : [])
        let start = clock.now
        let decision = try state.route(request, now: now)
        let elapsed = clock.now - start
        samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
        if decision.outcome == .assigned { open.append(request.conversationID) }
        if open.count > 2_000 {
            let victim = open.remove(at: Int.random(in: 0..<open.count, using: &random))
            _ = state.release(victim, now: now)
        }
    }
    return Stats(samples: samples)
}

/// The baseline: least-load by scanning every member of the group.
func measureLinearScan(agents count: Int, groupSize: Int, decisions: Int) -> Stats {
    var loads = [Int](repeating: 0, count: count)
    let capacity = 8
    let online = (0..<count).map { $0 % 5 != 0 }
    var samples: [Double] = []
    let clock = ContinuousClock()
    var random = SeededRandom(seed: 13)
    for _ in 0..<decisions {
        let base = groupSize >= count ? 0 : Int.random(in: 0..<(count - groupSize), using: &random)
        let start = clock.now
        var best = -1
        for agent in base..<(base + groupSize) where online[agent] && loads[agent] < capacity {
            if best < 0 || loads[agent] < loads[best] { best = agent }
        }
        let elapsed = clock.now - start
        if best >= 0 { loads[best] = (loads[best] + 1) % capacity }
        samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
    }
    return Stats(samples: samples)
}

let sizes = CommandLine.arguments.dropFirst().compactMap(Int.init)
let agentCounts = sizes.isEmpty ? [1_000, 10_000, 100_000] : sizes
let decisions = 200_000
print("routing decision time (\(decisions) decisions per run, release build expected)")
for count in agentCounts {
    var state = try build(agents: count, groups: 500)
    let stats = try measure(&state, groups: 500, decisions: decisions)
    let baseline = measureLinearScan(agents: count, groupSize: max(1, count * 2 / 500), decisions: decisions)
    print(
        String(format: "%7d agents, 500 groups (mixed strategies):    %@   | linear scan %@   ratio p99 %.2f",
            count, stats.line, baseline.line, baseline.percentile(0.99) / stats.percentile(0.99)))
}
for count in agentCounts {
    for strategy in [RoutingStrategy.leastLoad, .roundRobin, .skill] {
        var state = try build(agents: count, groups: 1, strategy: strategy)
        let stats = try measure(&state, groups: 1, decisions: decisions / 4)
        let baseline = measureLinearScan(agents: count, groupSize: count, decisions: min(decisions / 4, 20_000))
        print(
            String(format: "%7d agents, one group, %-16@ %@   | linear scan %@   ratio p99 %.1f",
                count, strategy.rawValue as NSString, stats.line, baseline.line, baseline.percentile(0.99) / stats.percentile(0.99)))
    }
}

// Queue drain: 100,000 conversations wait in one group of 1,000 offline agents with room for
// 100 each; every agent comes online and the queue drains to them.
do {
    var state = RoutingState()
    var members: [AgentID] = []
    for index in 0..<1_000 {
        let id = AgentID("d-\(index)")
        _ = try state.putAgent(Agent(id: id, name: "D\(index)", capacity: 100), now: now)
        members.append(id)
    }
    _ = try state.putGroup(RoutingGroup(id: GroupID("drain"), name: "Drain", members: members, strategy: .leastLoad), now: now)
    for index in 0..<100_000 {
        _ = try state.route(
            RoutingRequest(
                conversationID: ConversationID("q-\(index)"), customerID: CustomerID("qc-\(index)"), group: GroupID("drain"),
                level: index % 11, channelID: "web"),
            now: now)
    }
    let clock = ContinuousClock()
    let start = clock.now
    var drained = 0
    for id in members { drained += try state.setPresence(.online, of: id, now: now).count }
    let seconds = Double((clock.now - start).components.attoseconds) / 1e18 + Double((clock.now - start).components.seconds)
    print(String(format: "queue drain: %d conversations to 1,000 agents in %.3f s = %.0f assignments/s", drained, seconds, Double(drained) / seconds))
}
