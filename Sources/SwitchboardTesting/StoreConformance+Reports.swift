import Foundation
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore
import SwitchboardTickets

extension StoreConformance {
    static let reportChecks: [Check] = [
        ("reports read tickets, backlog, assignments, queues and ratings by window", { s, store in try await s.reportFacts(store) })
    ]

    func reportFacts(_ store: any GatewayStore) async throws {
        let check = "report facts"
        let now = Date(timeIntervalSince1970: Double(Int64(Date().timeIntervalSince1970 * 1000)) / 1000)
        let receipts = try await ingest(
            store, ["ana", "ben", "cai"].map { Fixtures.contact(externalID: "rep-\($0)", visitor: $0) }, now: now)
        func request(_ index: Int) -> RoutingRequest {
            RoutingRequest(
                conversationID: receipts[index].conversationID, customerID: receipts[index].customerID, group: GroupID("sales"), level: 0,
                channelID: "web")
        }
        func decision(_ index: Int, _ outcome: RoutingDecision.Outcome, agent: AgentID?, at time: Date) -> RoutingDecision {
            RoutingDecision(
                conversationID: receipts[index].conversationID, outcome: outcome, group: GroupID("sales"), agent: agent,
                step: agent == nil ? .queue : .leastLoad, rule: "default", level: 0, ahead: nil, skipped: [], unavailableMembers: 0,
                detail: "report", decidedAt: time)
        }
        // ana: queued, assigned to alice 90 s later; ben: queued and gave up; cai: still waiting.
        try await store.saveRouting(
            (0..<3).map { index in
                RoutingChange(
                    conversationID: receipts[index].conversationID,
                    entry: RoutingEntry(state: .waiting, request: request(index), agent: nil, sequence: UInt64(index), since: now),
                    decision: decision(index, .queued, agent: nil, at: now))
            }, consumer: nil, at: now)
        try await store.saveRouting(
            [
                RoutingChange(
                    conversationID: receipts[0].conversationID,
                    entry: RoutingEntry(state: .assigned, request: request(0), agent: AgentID("alice"), sequence: 0, since: now),
                    decision: decision(0, .assigned, agent: AgentID("alice"), at: now.addingTimeInterval(90)))
            ], consumer: nil, at: now.addingTimeInterval(90))
        _ = try await store.close(receipts[1].conversationID, at: now.addingTimeInterval(120))
        try await store.saveRouting([RoutingChange(conversationID: receipts[1].conversationID, entry: nil, decision: nil)], consumer: nil, at: now)
        let rating = Fixtures.rating(externalID: "rep-rate", visitor: "ana", conversation: receipts[0].conversationID, score: 4)
        _ = try await store.commit([.rating(rating)], policy: policy, now: now.addingTimeInterval(200))

        let window = (from: now.addingTimeInterval(-60), to: now.addingTimeInterval(3600))
        let assignments = try await store.assignments(from: window.from, to: window.to)
        try expect(assignments == [AssignmentRow(agent: "alice", at: now.addingTimeInterval(90))], check, "one assignment: \(assignments)")
        let queued = try await store.queuedConversations(from: window.from, to: window.to).sorted { ($0.assignedAt != nil ? 0 : 1, $0.abandoned ? 0 : 1) < ($1.assignedAt != nil ? 0 : 1, $1.abandoned ? 0 : 1) }
        try expect(queued.count == 3, check, "three conversations entered the queue: \(queued)")
        try expect(queued[0].assignedAt == now.addingTimeInterval(90) && queued[0].group == "sales", check, "ana answered after 90 s")
        try expect(queued[1].abandoned && queued[1].assignedAt == nil, check, "ben abandoned")
        try expect(!queued[2].abandoned && queued[2].assignedAt == nil, check, "cai still waiting")
        try await expectAwaiting(try await store.waitingNow() == ["sales": 1], check, "one waiting now")
        let ratings = try await store.ratingFacts(from: window.from, to: now.addingTimeInterval(86_400))
        try expect(ratings.count == 1 && ratings[0].agent == "alice" && ratings[0].group == "sales" && ratings[0].score == 4, check,
            "the rating with its agent and group: \(ratings)")
        try await expectAwaiting(try await store.assignments(from: now.addingTimeInterval(100), to: window.to).isEmpty, check, "outside the window")

        let first = try await newTicket(store, group: "support", at: now)
        _ = try await newTicket(store, at: now.addingTimeInterval(10))
        let responded = Self.ticketDesk.agentReplied(first, actor: "alice", at: now.addingTimeInterval(60))
        var saved = try await store.saveTickets([write(responded)], consumer: nil)
        let resolved = try Self.ticketDesk.transition(saved[0], .resolve, actor: "alice", note: nil, at: now.addingTimeInterval(600))
        saved = try await store.saveTickets([write(resolved)], consumer: nil)
        let facts = try await store.ticketFacts(from: window.from, to: window.to).sorted { $0.createdAt < $1.createdAt }
        try expect(facts.count == 2 && facts[0].group == "support" && facts[1].group == nil, check, "tickets created in the window: \(facts)")
        try expect(
            facts[0].firstRespondedAt == now.addingTimeInterval(60) && facts[0].resolvedAt == now.addingTimeInterval(600) && facts[0].hasSLA
                && !facts[0].breached, check, "response and resolution times: \(facts[0])")
        let done = try await store.resolvedTickets(from: window.from, to: window.to)
        try expect(done.count == 1 && done[0].resolvedAt == now.addingTimeInterval(600), check, "resolved in the window: \(done)")
        try await expectAwaiting(try await store.resolvedTickets(from: now.addingTimeInterval(700), to: window.to).isEmpty, check, "not later")
        let young = try await store.ticketBacklog(now: now.addingTimeInterval(60), bucketEdges: [3600])
        try expect(young == [BacklogRow(group: nil, bucket: 0, count: 1)], check, "the active ticket is under an hour old: \(young)")
        let old = try await store.ticketBacklog(now: now.addingTimeInterval(7200), bucketEdges: [3600])
        try expect(old == [BacklogRow(group: nil, bucket: 1, count: 1)], check, "two hours later it is in the next bucket: \(old)")
        let whole = try await store.ticketBacklog(now: now.addingTimeInterval(60), bucketEdges: [])
        try expect(whole == [BacklogRow(group: nil, bucket: 0, count: 1)], check, "no edges: one bucket of every active ticket: \(whole)")
    }
}
