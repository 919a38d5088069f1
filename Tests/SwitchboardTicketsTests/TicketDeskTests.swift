import Foundation
import SwitchboardCore
import SwitchboardRouting
import Testing

@testable import SwitchboardTickets

/// The desk's rules as pure functions: templates, SLA targets, lifecycle with paused clocks,
/// reopen window, marks firing once, escalation.
@Suite("Ticket desk")
struct TicketDeskTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    static func desk(
        reassign: Bool = true, groups: [TicketGroupSettings] = [], webhook: Bool = true, calendars: [String: BusinessCalendar] = [:],
        calendar: String? = nil
    ) -> TicketDesk {
        let policy = SLAPolicy(
            name: "standard", calendar: calendar,
            targets: [
                .init(tier: "gold", firstResponseMinutes: 10, resolutionMinutes: 60),
                .init(priority: .p1, firstResponseMinutes: 15, resolutionMinutes: 120),
                .init(firstResponseMinutes: 60, resolutionMinutes: 480),
            ], escalation: .init(raisePriority: true, reassign: reassign))
        let order = TicketType(
            name: "order", fields: [.init(name: "orderNumber", kind: .text, required: true), .init(name: "account", kind: .customerAttribute, attribute: "account")],
            defaultPriority: .p3, defaultGroup: "support", slaPolicy: "standard")
        return TicketDesk(
            settings: TicketSettings(
                types: [order], policies: [policy], calendars: calendars, groups: groups, defaultPolicy: "standard", webhook: webhook))
    }

    static func opened(_ desk: TicketDesk, tier: String? = nil, priority: TicketPriority? = nil) throws -> Ticket {
        var attributes = ["account": "A-17"]
        attributes["tier"] = tier
        let change = try desk.open(
            TicketDraft(
                type: "order", priority: priority, fields: ["orderNumber": .text("SO-1")], customerAttributes: attributes,
                createdBy: "api"), actor: "alice", at: start)
        var ticket = change.ticket
        ticket.version = 1
        ticket.number = 7
        return ticket
    }

    @Test("opening applies the template: required field named, customer attribute copied, defaults, SLA by tier and priority")
    func opening() throws {
        let desk = Self.desk()
        #expect(throws: ValidationError(field: "fields.orderNumber", reason: "is required")) {
            try desk.open(TicketDraft(type: "order", createdBy: "api"), actor: "alice", at: Self.start)
        }
        #expect(throws: ValidationError(field: "type", reason: "names no ticket type 'nope'")) {
            try desk.open(TicketDraft(type: "nope", createdBy: "api"), actor: "alice", at: Self.start)
        }
        let change = try desk.open(
            TicketDraft(type: "order", fields: ["orderNumber": .text("SO-1")], customerAttributes: ["account": "A-17"], createdBy: "rule-x"),
            actor: "rule-x", at: Self.start)
        #expect(change.isNew && change.ticket.state == .new)
        #expect(change.ticket.fields == ["orderNumber": "SO-1", "account": "A-17"])
        #expect(change.ticket.priority == .p3 && change.ticket.group == "support" && change.needsAssignment == "support")
        #expect(change.ticket.sla.firstResponse?.target == 3600 && change.ticket.sla.resolution?.target == 8 * 3600)
        #expect(change.history.map(\.kind) == ["created"] && change.history[0].changes["createdBy"] == "rule-x")
        #expect(try Self.opened(desk, tier: "gold").sla.firstResponse?.target == 600)
        #expect(try Self.opened(desk, priority: .p1).sla.resolution?.target == 7200)
        // Built-in types back the built-in rules without any configuration.
        #expect(desk.settings.types["call-back"]?.defaultPriority == .p2)
    }

    @Test("timers: warning at 80 % and breach at the target; none while pending; back after the customer answers")
    func timersAndPause() throws {
        let desk = Self.desk()
        let ticket = try Self.opened(desk)
        let timers = desk.timers(for: ticket)
        #expect(timers.map(\.mark) == [.firstResponseWarning, .firstResponseBreach, .resolutionWarning, .resolutionBreach])
        let offsets: [TimeInterval] = timers.map { $0.dueAt.timeIntervalSince(Self.start) }
        let expected: [TimeInterval] = [2880, 3600, 23_040, 28_800]
        #expect(offsets == expected)

        // 30 minutes in, the ticket waits on the customer for 5 hours: no timers while pending.
        let pending = try desk.transition(ticket, .wait, actor: "alice", note: "asked for the invoice", at: Self.start + 1800).ticket
        #expect(pending.state == .pending && desk.timers(for: pending).isEmpty)
        #expect(desk.fireDue(pending, at: Self.start + 5 * 3600).isEmpty)
        // The customer answers: clocks resume with 30 minutes used.
        let resumed = try #require(desk.customerReplied(pending, at: Self.start + 5 * 3600))
        #expect(resumed.ticket.state == .open)
        #expect(desk.deadline(.firstResponse, of: resumed.ticket) == Self.start + 5 * 3600 + 1800)
        #expect(resumed.history.map(\.kind) == ["state"] && resumed.history[0].actor == "customer")
    }

    @Test("a mark fires once: warning, then breach with escalation and a webhook each; nothing on the next look")
    func firingOnce() throws {
        let desk = Self.desk(groups: [TicketGroupSettings(group: "support", escalationGroup: "tier2")])
        var ticket = try Self.opened(desk)
        ticket.group = "support"
        ticket.assignee = "bob"
        let warning = desk.fireDue(ticket, at: Self.start + 50 * 60)
        #expect(warning.ticket.sla.fired == [.firstResponseWarning])
        #expect(warning.webhooks.map(\.event) == ["ticket.sla_warning"])
        #expect(warning.history.map(\.kind) == ["sla.warning"])
        var after = warning.ticket
        after.version += 1
        #expect(desk.fireDue(after, at: Self.start + 55 * 60).isEmpty)
        #expect(!desk.timers(for: after).contains { $0.mark == .firstResponseWarning })

        let breach = desk.fireDue(after, at: Self.start + 61 * 60)
        #expect(breach.ticket.sla.fired == [.firstResponseWarning, .firstResponseBreach])
        #expect(breach.webhooks.map(\.event) == ["ticket.sla_breached"])
        // Escalation: one priority step up, moved to the escalation group, unassigned, a member to pick.
        #expect(breach.ticket.priority == .p2 && breach.ticket.group == "tier2" && breach.ticket.assignee == nil)
        #expect(breach.needsAssignment == "tier2")
        #expect(breach.history.map(\.kind) == ["sla.breached", "priority", "group", "assignee"])
        let body = try JSONSerialization.jsonObject(with: Data(breach.webhooks[0].body.utf8)) as? [String: Any]
        #expect(body?["event"] as? String == "ticket.sla_breached" && body?["clock"] as? String == "firstResponse")
        #expect((body?["ticket"] as? [String: Any])?["number"] as? Int == 7)
    }

    @Test("after a downtime every passed mark fires once, in order")
    func downtime() throws {
        let desk = Self.desk(groups: [TicketGroupSettings(group: "support", lead: "lead-ann")])
        let ticket = try Self.opened(desk)
        // Down for 10 hours: all four marks passed.
        let change = desk.fireDue(ticket, at: Self.start + 10 * 3600)
        #expect(change.ticket.sla.fired == [.firstResponseWarning, .firstResponseBreach, .resolutionWarning, .resolutionBreach])
        #expect(change.webhooks.map(\.event) == ["ticket.sla_warning", "ticket.sla_breached", "ticket.sla_warning", "ticket.sla_breached"])
        // Two breaches: P3 → P2 → P1; the lead takes it (no escalation group).
        #expect(change.ticket.priority == .p1 && change.ticket.assignee == "lead-ann")
        #expect(desk.timers(for: change.ticket).isEmpty)
    }

    @Test("without reassignment or webhook configured, a breach only raises the priority and is recorded")
    func quietEscalation() throws {
        let desk = Self.desk(reassign: false, groups: [TicketGroupSettings(group: "support", escalationGroup: "tier2")], webhook: false)
        let change = desk.fireDue(try Self.opened(desk), at: Self.start + 3601)
        #expect(change.webhooks.isEmpty && change.ticket.group == "support" && change.ticket.priority == .p2)
        #expect(change.ticket.sla.breached && change.ticket.sla.warned)
    }

    @Test("a public comment meets the first response and opens a new ticket; resolving stops the clocks")
    func responseAndResolution() throws {
        let desk = Self.desk()
        let ticket = try Self.opened(desk)
        let comment = TicketComment(ticketID: ticket.id, author: "alice", text: "On it", isPublic: true, messageID: nil, createdAt: Self.start + 600)
        let answered = desk.comment(ticket, comment, at: Self.start + 600)
        #expect(answered.ticket.state == .open && answered.ticket.firstRespondedAt == Self.start + 600)
        #expect(answered.ticket.sla.firstResponse?.metAt == Self.start + 600)
        #expect(answered.history.map(\.kind) == ["comment", "sla.met", "state"])
        #expect(desk.timers(for: answered.ticket).map(\.mark) == [.resolutionWarning, .resolutionBreach])
        let note = TicketComment(ticketID: ticket.id, author: "alice", text: "note", isPublic: false, messageID: nil, createdAt: Self.start)
        #expect(desk.comment(ticket, note, at: Self.start + 60).ticket.firstRespondedAt == nil)

        let resolved = try desk.transition(answered.ticket, .resolve, actor: "alice", note: nil, at: Self.start + 3600).ticket
        #expect(resolved.resolvedAt == Self.start + 3600 && desk.timers(for: resolved).isEmpty)
        #expect(desk.fireDue(resolved, at: Self.start + 100 * 3600).isEmpty)
        #expect(throws: TicketTransitionError.self) { try desk.transition(resolved, .wait, actor: "alice", note: nil, at: Self.start) }
    }

    @Test("a reply within the reopen window reopens with the resolution clock counting on; later it calls for a new ticket")
    func reopenWindow() throws {
        let desk = Self.desk()
        let ticket = try Self.opened(desk)
        let resolved = try desk.transition(ticket, .resolve, actor: "alice", note: nil, at: Self.start + 3600).ticket
        let reopened = try #require(desk.customerReplied(resolved, at: Self.start + 3600 + 6 * 86400))
        #expect(reopened.ticket.state == .open && reopened.ticket.resolvedAt == nil)
        // One hour of the 8-hour resolution target was used before: 7 remain from the reopening.
        #expect(desk.deadline(.resolution, of: reopened.ticket) == Self.start + 3600 + 6 * 86400 + 7 * 3600)
        #expect(desk.customerReplied(resolved, at: Self.start + 3600 + 7 * 86400 + 1) == nil)
        let closed = try desk.transition(ticket, .close, actor: "alice", note: nil, at: Self.start + 60).ticket
        #expect(desk.customerReplied(closed, at: Self.start + 120) == nil)
    }

    @Test("business-hours SLA: the deadline skips the night")
    func businessHours() throws {
        let hours = BusinessHours(timezone: "UTC", weekly: [.init(days: BusinessHours.Weekday.allCases, start: "09:00", end: "17:00")])
        let desk = Self.desk(calendars: ["office": try BusinessCalendar(hours)], calendar: "office")
        // Opened 16:30 UTC: 30 minutes today, 30 tomorrow from 09:00.
        let ticket = try Self.opened(desk)
        let formatter = ISO8601DateFormatter()
        let evening = try #require(formatter.date(from: "2026-09-21T16:30:00Z"))
        var late = ticket
        late.sla.firstResponse = SLAClock(target: 3600, startedAt: evening)
        #expect(desk.deadline(.firstResponse, of: late).map(formatter.string) == "2026-09-22T09:30:00Z")
    }

    @Test("edits: priority and fields recorded; a wrongly typed field named")
    func edits() throws {
        let desk = Self.desk()
        let ticket = try Self.opened(desk)
        let change = try desk.edit(ticket, TicketEdit(priority: .p1, fields: ["orderNumber": .text("SO-2")]), actor: "alice", at: Self.start + 5)
        #expect(change.ticket.priority == .p1 && change.ticket.fields["orderNumber"] == "SO-2" && change.ticket.fields["account"] == "A-17")
        #expect(change.history.map(\.kind) == ["priority", "fields"])
        #expect(throws: ValidationError(field: "fields.orderNumber", reason: "must be text")) {
            try desk.edit(ticket, TicketEdit(fields: ["orderNumber": .number(5)]), actor: "alice", at: Self.start)
        }
        #expect(try desk.edit(ticket, TicketEdit(priority: .p3), actor: "alice", at: Self.start).isEmpty)
    }

    @Test("a new priority brings its SLA targets: stricter fires at once, looser moves out, tier kept, breached clocks stay")
    func priorityRetargets() throws {
        let desk = Self.desk()
        let minute: TimeInterval = 60
        // P3 (60 min / 8 h) → P1 (15 min / 2 h) 20 minutes in: the first response is overdue at once.
        let stricter = try desk.edit(try Self.opened(desk), TicketEdit(priority: .p1), actor: "alice", at: Self.start + 20 * minute)
        #expect(desk.deadline(.firstResponse, of: stricter.ticket) == Self.start + 15 * minute)
        #expect(desk.deadline(.resolution, of: stricter.ticket) == Self.start + 120 * minute)
        let fired = desk.fireDue(stricter.ticket, at: Self.start + 20 * minute + 1)
        #expect(fired.ticket.sla.fired.contains(.firstResponseBreach))
        // P1 → P3 five minutes in: both deadlines move out.
        let looser = try desk.edit(try Self.opened(desk, priority: .p1), TicketEdit(priority: .p3), actor: "alice", at: Self.start + 5 * minute)
        #expect(desk.deadline(.firstResponse, of: looser.ticket) == Self.start + 60 * minute)
        #expect(desk.deadline(.resolution, of: looser.ticket) == Self.start + 480 * minute)
        // A gold customer's targets come from the tier whatever the priority.
        let gold = try desk.edit(try Self.opened(desk, tier: "gold"), TicketEdit(priority: .p1), actor: "alice", at: Self.start + minute)
        #expect(desk.deadline(.firstResponse, of: gold.ticket) == Self.start + 10 * minute)
        // A breached first response stays breached and keeps its target; the resolution clock moves.
        let breached = desk.fireDue(try Self.opened(desk, priority: .p1), at: Self.start + 16 * minute).ticket
        #expect(breached.sla.fired.contains(.firstResponseBreach))
        let later = try desk.edit(breached, TicketEdit(priority: .p4), actor: "alice", at: Self.start + 17 * minute)
        #expect(later.ticket.sla.firstResponse?.target == 15 * minute && later.ticket.sla.breached)
        #expect(desk.deadline(.resolution, of: later.ticket) == Self.start + 480 * minute)
    }

    @Test("group-first assignment: the available member with the fewest active tickets, ties by member order")
    func assigner() {
        #expect(TicketAssigner.pick(members: ["a", "b", "c"], available: ["a", "b", "c"], load: ["a": 3, "b": 1, "c": 1]) == "b")
        #expect(TicketAssigner.pick(members: ["a", "b", "c"], available: ["a", "c"], load: ["a": 3, "b": 0, "c": 4]) == "a")
        #expect(TicketAssigner.pick(members: ["a"], available: [], load: [:]) == nil)
    }
}
