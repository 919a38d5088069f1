import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTesting
import SwitchboardTickets
import Testing

@testable import SwitchboardServer

/// Report arithmetic (days in a zone, percentiles, rates, buckets) and the report API.
@Suite("Reports")
struct ReportTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai") ?? .current
    static func at(_ text: String) -> Date { ISO8601.parse(text) ?? .distantPast }
    static let window = ReportWindow(from: at("2026-11-01T00:00:00Z"), to: at("2026-11-08T00:00:00Z"), timeZone: shanghai)

    @Test("nearest-rank percentiles and the average")
    func percentiles() {
        let values = (1...100).map(Double.init)
        let distribution = ReportMath.distribution(values)
        #expect(distribution == .init(count: 100, average: 50.5, p50: 50, p90: 90, p99: 99))
        #expect(ReportMath.distribution([7]) == .init(count: 1, average: 7, p50: 7, p90: 7, p99: 7))
        #expect(ReportMath.distribution([]).count == 0 && ReportMath.distribution([]).p50 == nil)
    }

    @Test("tickets per day are counted in the report's time zone, per group")
    func volume() {
        // 2026-11-02T17:00Z is already the 3rd in Shanghai (UTC+8).
        let created = [
            TicketReportRow(group: "billing", createdAt: Self.at("2026-11-02T15:00:00Z"), firstRespondedAt: nil, resolvedAt: nil, hasSLA: true, breached: false),
            TicketReportRow(group: "billing", createdAt: Self.at("2026-11-02T17:00:00Z"), firstRespondedAt: nil, resolvedAt: nil, hasSLA: true, breached: false),
            TicketReportRow(group: nil, createdAt: Self.at("2026-11-02T17:30:00Z"), firstRespondedAt: nil, resolvedAt: nil, hasSLA: false, breached: false),
        ]
        let resolved = [
            TicketReportRow(
                group: "billing", createdAt: Self.at("2026-10-30T00:00:00Z"), firstRespondedAt: nil,
                resolvedAt: Self.at("2026-11-02T16:30:00Z"), hasSLA: true, breached: true)
        ]
        let volume = ReportMath.volume(created: created, resolved: resolved, window: Self.window)
        #expect(volume.days.map { "\($0.day) \($0.group) \($0.created)/\($0.resolved)" } == [
            "2026-11-02 billing 1/0", "2026-11-03 (none) 1/0", "2026-11-03 billing 1/1",
        ])
        #expect(volume.created == 3 && volume.resolved == 1)
    }

    @Test("response and resolution times per group; SLA compliance counts only tickets with an SLA")
    func timesAndCompliance() {
        let start = Self.at("2026-11-03T00:00:00Z")
        let rows = [
            TicketReportRow(group: "a", createdAt: start, firstRespondedAt: start + 60, resolvedAt: start + 3600, hasSLA: true, breached: false),
            TicketReportRow(group: "a", createdAt: start, firstRespondedAt: start + 300, resolvedAt: nil, hasSLA: true, breached: true),
            TicketReportRow(group: "b", createdAt: start, firstRespondedAt: nil, resolvedAt: nil, hasSLA: true, breached: false),
            TicketReportRow(group: "b", createdAt: start, firstRespondedAt: nil, resolvedAt: nil, hasSLA: false, breached: false),
        ]
        let times = ReportMath.times(rows, window: Self.window)
        #expect(times.firstResponseSeconds == .init(count: 2, average: 180, p50: 60, p90: 300, p99: 300))
        #expect(times.resolutionSeconds.count == 1 && times.resolutionSeconds.p50 == 3600)
        #expect(times.groups.map(\.group) == ["a", "b"] && times.groups[1].firstResponseSeconds.count == 0)
        let compliance = ReportMath.compliance(rows, window: Self.window)
        #expect(compliance.total.tickets == 3 && compliance.total.breached == 1 && compliance.total.compliancePercent == 66.7)
        #expect(compliance.groups.map(\.compliancePercent) == [50, 100])
    }

    @Test("backlog buckets, reception per agent and day, queues, satisfaction")
    func others() {
        let backlog = ReportMath.backlog([
            BacklogRow(group: "a", bucket: 0, count: 2), BacklogRow(group: nil, bucket: 5, count: 1), BacklogRow(group: "a", bucket: 3, count: 4),
        ])
        #expect(backlog.total == [2, 0, 0, 4, 0, 1] && backlog.groups.map(\.total) == [1, 6])
        let day = Self.at("2026-11-03T02:00:00Z")
        let reception = ReportMath.reception(
            [AssignmentRow(agent: "bo", at: day), AssignmentRow(agent: "al", at: day), AssignmentRow(agent: "al", at: day + 60)],
            window: Self.window)
        #expect(reception.days.map { "\($0.day) \($0.agent) \($0.conversations)" } == ["2026-11-03 al 2", "2026-11-03 bo 1"])
        let queues = ReportMath.queues(
            [
                QueueRow(group: "sales", queuedAt: day, assignedAt: day + 30, abandoned: false),
                QueueRow(group: "sales", queuedAt: day, assignedAt: day + 90, abandoned: false),
                QueueRow(group: "sales", queuedAt: day, assignedAt: nil, abandoned: true),
            ], waiting: ["sales": 2, "vip": 1], window: Self.window)
        #expect(queues.groups.map(\.group) == ["sales", "vip"])
        #expect(queues.groups[0].entered == 3 && queues.groups[0].answered == 2 && queues.groups[0].abandoned == 1)
        #expect(queues.groups[0].averageWaitSeconds == 60 && queues.groups[0].waitingNow == 2 && queues.groups[1].waitingNow == 1)
        let satisfaction = ReportMath.satisfaction(
            [
                RatingRow(agent: "al", group: "sales", score: 5, at: day), RatingRow(agent: "al", group: "sales", score: 2, at: day),
                RatingRow(agent: nil, group: nil, score: 4, at: day),
            ], window: Self.window)
        #expect(satisfaction.agents.map { "\($0.name) \($0.ratings) \($0.averageScore) \($0.satisfiedPercent)" } == ["al 2 3.5 50.0"])
        #expect(satisfaction.groups.map(\.name) == ["(none)", "sales"])
    }

    @Test("the report API answers each report over a window and refuses bad windows")
    func api() async throws {
        try await TicketAPITests.start().use { gateway in
            let conversation = try await RoutingAPITests.contact(gateway, visitor: "rep", text: "help")
            let ticket = try await TicketAPITests.send(gateway, "POST", "/api/v1/conversations/\(conversation)/escalate", [String: Any]())
            let id = ticket.json["id"] as? String ?? ""
            _ = try await TicketAPITests.send(gateway, "POST", "/api/v1/tickets/\(id)/comments", ["text": "hi", "visibility": "public"])
            _ = try await TicketAPITests.send(gateway, "POST", "/api/v1/tickets/\(id)/transition", ["transition": "resolve"])
            _ = try await TicketAPITests.send(gateway, "POST", "/api/v1/tickets", ["subject": "open one"])
            let volume = try await TicketAPITests.send(gateway, "GET", "/api/v1/reports/tickets?timeZone=Asia/Shanghai").json
            #expect(volume["created"] as? Int == 2 && volume["resolved"] as? Int == 1, "\(volume)")
            let times = try await TicketAPITests.send(gateway, "GET", "/api/v1/reports/ticket-times").json
            #expect((times["firstResponseSeconds"] as? [String: Any])?["count"] as? Int == 1)
            let sla = try await TicketAPITests.send(gateway, "GET", "/api/v1/reports/sla").json
            #expect((sla["total"] as? [String: Any])?["compliancePercent"] as? Double == 100)
            let backlog = try await TicketAPITests.send(gateway, "GET", "/api/v1/reports/backlog").json
            #expect((backlog["total"] as? [Int])?.first == 1)
            for path in ["reception", "queues", "satisfaction"] {
                #expect(try await TicketAPITests.send(gateway, "GET", "/api/v1/reports/\(path)").status == 200)
            }
            let bad = try await TicketAPITests.send(gateway, "GET", "/api/v1/reports/tickets?from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z")
            #expect(bad.status == 400 && bad.json["field"] as? String == "from")
            #expect(try await TicketAPITests.send(gateway, "GET", "/api/v1/reports/tickets?timeZone=Mars/Base").status == 400)
            #expect(try await TicketAPITests.send(gateway, "GET", "/api/v1/reports/tickets", bearer: "nope").status == 401)
            let metrics = try await gateway.client.request("GET", "/metrics")
            #expect(metrics.text.contains("switchboard_tickets_created{created_by=\"agent-escalation\"} 1"), "\(metrics.text.prefix(300))")
        }
    }
}
