import Foundation
import Hummingbird
import SwitchboardCore
import SwitchboardStore

/// Reports under `/api/v1/reports/…` (integration scope), each over a window `from`/`to`
/// (ISO 8601; default the last 7 days, at most 366 days) with days counted in `timeZone`
/// (default the routing time zone).
struct ReportRoutes: Sendable {
    let store: any GatewayStore
    let authenticator: Authenticator
    let timeZone: TimeZone

    func register(on router: Router<BasicRequestContext>) {
        let reports = router.group("api/v1/reports")
        reports.get("tickets") { request, _ in
            let window = try await self.window(request)
            let created = try await store.ticketFacts(from: window.from, to: window.to)
            let resolved = try await store.resolvedTickets(from: window.from, to: window.to)
            return HTTPResponses.json(200, ReportMath.volume(created: created, resolved: resolved, window: window))
        }
        reports.get("ticket-times") { request, _ in
            let window = try await self.window(request)
            let tickets = try await store.ticketFacts(from: window.from, to: window.to)
            return HTTPResponses.json(200, ReportMath.times(tickets, window: window))
        }
        reports.get("sla") { request, _ in
            let window = try await self.window(request)
            let tickets = try await store.ticketFacts(from: window.from, to: window.to)
            return HTTPResponses.json(200, ReportMath.compliance(tickets, window: window))
        }
        reports.get("backlog") { request, _ in
            try await authenticator.require(.integration, request)
            let rows = try await store.ticketBacklog(now: Date(), bucketEdges: ReportMath.backlogEdges)
            return HTTPResponses.json(200, ReportMath.backlog(rows))
        }
        reports.get("reception") { request, _ in
            let window = try await self.window(request)
            let rows = try await store.assignments(from: window.from, to: window.to)
            return HTTPResponses.json(200, ReportMath.reception(rows, window: window))
        }
        reports.get("queues") { request, _ in
            let window = try await self.window(request)
            let rows = try await store.queuedConversations(from: window.from, to: window.to)
            return HTTPResponses.json(200, ReportMath.queues(rows, waiting: try await store.waitingNow(), window: window))
        }
        reports.get("satisfaction") { request, _ in
            let window = try await self.window(request)
            let rows = try await store.ratingFacts(from: window.from, to: window.to)
            return HTTPResponses.json(200, ReportMath.satisfaction(rows, window: window))
        }
    }

    /// Authenticates and reads `from`, `to` and `timeZone`.
    private func window(_ request: Request) async throws -> ReportWindow {
        try await authenticator.require(.integration, request)
        let parameters = request.uri.queryParameters
        func date(_ name: String) throws -> Date? {
            guard let text = parameters.get(name) else { return nil }
            guard let date = ISO8601.parse(text) else {
                throw APIError.badRequest("\(name) must be an ISO 8601 time (2026-11-01T00:00:00Z)", field: name)
            }
            return date
        }
        let to = try date("to") ?? Date()
        let from = try date("from") ?? to.addingTimeInterval(-7 * 86_400)
        guard from < to else { throw APIError.badRequest("from must be before to", field: "from") }
        guard to.timeIntervalSince(from) <= 366 * 86_400 else {
            throw APIError.badRequest("the window may span at most 366 days", field: "from")
        }
        var zone = timeZone
        if let name = parameters.get("timeZone") {
            guard let given = TimeZone(identifier: name) else {
                throw APIError.badRequest("timeZone must be an IANA time zone (Asia/Shanghai)", field: "timeZone")
            }
            zone = given
        }
        return ReportWindow(from: from, to: to, timeZone: zone)
    }
}

/// A report's time window and the zone its days are counted in.
struct ReportWindow: Encodable {
    var from: Date
    var to: Date
    var timeZone: TimeZone

    enum CodingKeys: String, CodingKey { case from, to, timeZone }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(timeZone.identifier, forKey: .timeZone)
    }

    /// `YYYY-MM-DD` of `date` in the window's zone.
    func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}

/// The arithmetic of reports: days, percentiles, rates. Pure, so it is tested without a store.
enum ReportMath {
    static let noGroup = "(none)"

    struct Volume: Encodable {
        var window: ReportWindow
        var days: [Day]
        var created: Int
        var resolved: Int

        struct Day: Encodable {
            var day: String
            var group: String
            var created: Int
            var resolved: Int
        }
    }

    static func volume(created: [TicketReportRow], resolved: [TicketReportRow], window: ReportWindow) -> Volume {
        struct Key: Hashable, Comparable {
            var day: String
            var group: String
            static func < (a: Key, b: Key) -> Bool { (a.day, a.group) < (b.day, b.group) }
        }
        var counts: [Key: (created: Int, resolved: Int)] = [:]
        for row in created { counts[Key(day: window.day(row.createdAt), group: row.group ?? noGroup), default: (0, 0)].created += 1 }
        for row in resolved {
            guard let at = row.resolvedAt else { continue }
            counts[Key(day: window.day(at), group: row.group ?? noGroup), default: (0, 0)].resolved += 1
        }
        let days = counts.keys.sorted().map { key in
            Volume.Day(day: key.day, group: key.group, created: counts[key]?.created ?? 0, resolved: counts[key]?.resolved ?? 0)
        }
        return Volume(window: window, days: days, created: created.count, resolved: resolved.filter { $0.resolvedAt != nil }.count)
    }

    /// Percentiles of a set of durations, in seconds.
    struct Distribution: Encodable, Equatable {
        var count: Int
        var average: Double?
        var p50: Double?
        var p90: Double?
        var p99: Double?
    }

    /// Nearest-rank percentiles.
    static func distribution(_ values: [Double]) -> Distribution {
        guard !values.isEmpty else { return Distribution(count: 0) }
        let sorted = values.sorted()
        func rank(_ percent: Double) -> Double {
            let index = Int((percent / 100 * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(max(index, 0), sorted.count - 1)]
        }
        return Distribution(
            count: sorted.count, average: sorted.reduce(0, +) / Double(sorted.count), p50: rank(50), p90: rank(90), p99: rank(99))
    }

    struct Times: Encodable {
        var window: ReportWindow
        var firstResponseSeconds: Distribution
        var resolutionSeconds: Distribution
        var groups: [Group]

        struct Group: Encodable {
            var group: String
            var firstResponseSeconds: Distribution
            var resolutionSeconds: Distribution
        }
    }

    static func times(_ tickets: [TicketReportRow], window: ReportWindow) -> Times {
        func split(_ rows: [TicketReportRow]) -> (Distribution, Distribution) {
            (
                distribution(rows.compactMap { $0.firstRespondedAt?.timeIntervalSince($0.createdAt) }),
                distribution(rows.compactMap { $0.resolvedAt?.timeIntervalSince($0.createdAt) })
            )
        }
        let (first, resolution) = split(tickets)
        let groups = Dictionary(grouping: tickets) { $0.group ?? noGroup }.sorted { $0.key < $1.key }.map { group, rows in
            let (first, resolution) = split(rows)
            return Times.Group(group: group, firstResponseSeconds: first, resolutionSeconds: resolution)
        }
        return Times(window: window, firstResponseSeconds: first, resolutionSeconds: resolution, groups: groups)
    }

    struct Compliance: Encodable {
        var window: ReportWindow
        var total: Row
        var groups: [Row]

        struct Row: Encodable {
            var group: String?
            var tickets: Int
            var breached: Int
            /// Percent of tickets with an SLA that never breached; `null` without any.
            var compliancePercent: Double?
        }
    }

    static func compliance(_ tickets: [TicketReportRow], window: ReportWindow) -> Compliance {
        func row(_ group: String?, _ rows: [TicketReportRow]) -> Compliance.Row {
            let measured = rows.filter(\.hasSLA)
            let breached = measured.filter(\.breached).count
            return Compliance.Row(
                group: group, tickets: measured.count, breached: breached,
                compliancePercent: measured.isEmpty ? nil : (Double(measured.count - breached) / Double(measured.count) * 1000).rounded() / 10)
        }
        let groups = Dictionary(grouping: tickets) { $0.group ?? noGroup }.sorted { $0.key < $1.key }.map { row($0.key, $0.value) }
        return Compliance(window: window, total: row(nil, tickets), groups: groups)
    }

    /// Age bucket edges of the backlog, in seconds: 1 h, 4 h, 1 day, 3 days, 7 days.
    static let backlogEdges: [TimeInterval] = [3600, 4 * 3600, 86_400, 3 * 86_400, 7 * 86_400]
    static let backlogLabels = ["<1h", "1h-4h", "4h-1d", "1d-3d", "3d-7d", ">7d"]

    struct Backlog: Encodable {
        var buckets: [String]
        var total: [Int]
        var groups: [Group]

        struct Group: Encodable {
            var group: String
            var counts: [Int]
            var total: Int
        }
    }

    static func backlog(_ rows: [BacklogRow]) -> Backlog {
        var total = Array(repeating: 0, count: backlogLabels.count)
        var groups: [String: [Int]] = [:]
        for row in rows where (0..<backlogLabels.count).contains(row.bucket) {
            total[row.bucket] += row.count
            groups[row.group ?? noGroup, default: Array(repeating: 0, count: backlogLabels.count)][row.bucket] += row.count
        }
        return Backlog(
            buckets: backlogLabels, total: total,
            groups: groups.sorted { $0.key < $1.key }.map { Backlog.Group(group: $0.key, counts: $0.value, total: $0.value.reduce(0, +)) })
    }

    struct Reception: Encodable {
        var window: ReportWindow
        var days: [Day]

        struct Day: Encodable {
            var day: String
            var agent: String
            var conversations: Int
        }
    }

    static func reception(_ rows: [AssignmentRow], window: ReportWindow) -> Reception {
        var counts: [String: [String: Int]] = [:]
        for row in rows { counts[window.day(row.at), default: [:]][row.agent, default: 0] += 1 }
        let days = counts.keys.sorted().flatMap { day in
            (counts[day] ?? [:]).sorted { $0.key < $1.key }.map { Reception.Day(day: day, agent: $0.key, conversations: $0.value) }
        }
        return Reception(window: window, days: days)
    }

    struct Queues: Encodable {
        var window: ReportWindow
        var groups: [Group]

        struct Group: Encodable {
            var group: String
            var waitingNow: Int
            var entered: Int
            var answered: Int
            var abandoned: Int
            var averageWaitSeconds: Double?
            var waitSeconds: Distribution
        }
    }

    static func queues(_ rows: [QueueRow], waiting: [String: Int], window: ReportWindow) -> Queues {
        let byGroup = Dictionary(grouping: rows) { $0.group ?? noGroup }
        let names = Set(byGroup.keys).union(waiting.keys).sorted()
        let groups = names.map { name in
            let rows = byGroup[name] ?? []
            let waits = rows.compactMap { row in row.assignedAt.map { max(0, $0.timeIntervalSince(row.queuedAt)) } }
            let distribution = distribution(waits)
            return Queues.Group(
                group: name, waitingNow: waiting[name] ?? 0, entered: rows.count, answered: waits.count,
                abandoned: rows.filter(\.abandoned).count, averageWaitSeconds: distribution.average, waitSeconds: distribution)
        }
        return Queues(window: window, groups: groups)
    }

    struct Satisfaction: Encodable {
        var window: ReportWindow
        var agents: [Row]
        var groups: [Row]

        struct Row: Encodable {
            var name: String
            var ratings: Int
            var averageScore: Double
            /// Percent of ratings of 4 or 5.
            var satisfiedPercent: Double
        }
    }

    static func satisfaction(_ rows: [RatingRow], window: ReportWindow) -> Satisfaction {
        func summary(_ name: String, _ rows: [RatingRow]) -> Satisfaction.Row {
            let satisfied = rows.filter { $0.score >= 4 }.count
            return Satisfaction.Row(
                name: name, ratings: rows.count,
                averageScore: (Double(rows.map(\.score).reduce(0, +)) / Double(max(rows.count, 1)) * 100).rounded() / 100,
                satisfiedPercent: (Double(satisfied) / Double(max(rows.count, 1)) * 1000).rounded() / 10)
        }
        let agents = Dictionary(grouping: rows.filter { $0.agent != nil }) { $0.agent ?? "" }.sorted { $0.key < $1.key }
        let groups = Dictionary(grouping: rows) { $0.group ?? noGroup }.sorted { $0.key < $1.key }
        return Satisfaction(window: window, agents: agents.map { summary($0.key, $0.value) }, groups: groups.map { summary($0.key, $0.value) })
    }
}
