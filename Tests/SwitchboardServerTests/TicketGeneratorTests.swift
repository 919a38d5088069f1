import Foundation
import Logging
import Metrics
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore
import SwitchboardStoreSQLite
import SwitchboardTesting
import SwitchboardTickets
import Testing

@testable import SwitchboardServer

/// The generator and the SLA timer service over a real SQLite store: every built-in rule from
/// contacts as channels deliver them, replies moving tickets, and marks firing exactly once
/// across restarts and downtimes.
@Suite("Ticket generator and SLA timers")
struct TicketGeneratorTests {
    /// A store, ticket service, generator and timer service, as a gateway wires them.
    struct Desk {
        let store: SQLiteStore
        let service: TicketService
        let generator: TicketGenerator
        let timers: SLATimerService
        let path: String

        static func open(path: String? = nil, settings: TicketSettings = Desk.settings) async throws -> Desk {
            let path = path ?? FileManager.default.temporaryDirectory.appendingPathComponent("sb-\(UUID().uuidString)/switchboard.sqlite").path
            let store = try SQLiteStore(configuration: .init(path: path))
            try await store.migrate()
            var logger = Logger(label: "tickets-test")
            logger.logLevel = .critical
            let routing = RoutingEngine(store: store, rules: nil, logger: logger, metricsFactory: NOOPMetricsHandler.instance)
            try await routing.start()
            let service = TicketService(store: store, routing: routing, settings: settings, logger: logger)
            return Desk(
                store: store, service: service,
                generator: TicketGenerator(service: service, wakeup: Wakeup(), pollInterval: .milliseconds(50), logger: logger),
                timers: SLATimerService(service: service, wakeup: Wakeup(), interval: .seconds(1), logger: logger), path: path)
        }

        static let settings = TicketSettings(
            policies: [SLAPolicy(name: "standard", targets: [.init(firstResponseMinutes: 60, resolutionMinutes: 240)])],
            defaultPolicy: "standard", webhook: true)

        /// Runs the generator over everything new in the outbox, as its loop does.
        func generate() async throws {
            while try await generator.step() > 0 {}
        }

        func ingest(_ contact: InboundContact, at now: Date = Date()) async throws -> IngestReceipt {
            let outcomes = try await store.commit(
                [.contact(Fixtures.prepared(contact))], policy: ThreadingPolicy(inactivityWindow: 30 * 86400), now: now)
            guard case .success(.contact(let receipt)) = outcomes.first else { throw StoreError.notFound("receipt") }
            return receipt
        }

        func tickets() async throws -> [Ticket] { try await store.tickets(TicketQuery(limit: 500)).items.reversed() }

        func webhooks() async throws -> [PendingWebhook] { try await store.dueTicketWebhooks(now: .distantFuture, limit: 1000) }

        func close() async throws { try await store.close() }
    }

    static func mail(_ id: String, from sender: String = "li@example.com", subject: String = "Invoice missing", text: String = "Where is it?")
        -> InboundContact
    {
        var contact = Fixtures.contact(channel: "support-mail", externalID: id, text: text, routing: RoutingAttributes(extra: ["subject": subject]))
        contact.channelKind = .email
        contact.sender = Handle(kind: "email", value: sender)
        return contact
    }

    static func call(_ id: String, disposition: String, caller: String = "+8613800000000") -> InboundContact {
        var contact = Fixtures.contact(channel: "pbx", externalID: id, text: nil, routing: RoutingAttributes(extra: ["disposition": disposition]))
        contact.channelKind = ChannelKind(rawValue: "phone")
        contact.sender = Handle(kind: "phone", value: caller)
        contact.text = "call from \(caller), \(disposition)"
        return contact
    }

    @Test("a new email thread opens a ticket; its follow-up joins it; processing the same events again opens nothing")
    func emailThread() async throws {
        let desk = try await Desk.open()
        let first = try await desk.ingest(Self.mail("<m1@example.com>"))
        try await desk.generate()
        var tickets = try await desk.tickets()
        #expect(tickets.count == 1)
        #expect(tickets.first?.createdBy == "email-new-thread" && tickets.first?.type == "email")
        #expect(tickets.first?.subject == "Invoice missing" && tickets.first?.conversationIDs == [first.conversationID])
        #expect(tickets.first?.sla.firstResponse?.target == 3600)
        // A second mail in the same thread: no second ticket.
        var reply = Self.mail("<m2@example.com>")
        reply.threadHints = ThreadHints(replyTo: ["<m1@example.com>"])
        _ = try await desk.ingest(reply)
        try await desk.generate()
        tickets = try await desk.tickets()
        #expect(tickets.count == 1)
        // A replayed batch (as after a crash before the position was saved) finds the ticket linked.
        let all = try await desk.store.ticketActivity(after: 0, limit: 100)
        let replay = try await desk.generator.process(all)
        #expect(replay.allSatisfy { !$0.isNew })
        // A web chat conversation matches no built-in rule.
        _ = try await desk.ingest(Fixtures.contact(externalID: "chat-1"))
        try await desk.generate()
        #expect(try await desk.tickets().count == 1)
        try await desk.close()
    }

    @Test("a missed or abandoned call opens a call-back ticket; an answered call does not")
    func missedCall() async throws {
        let desk = try await Desk.open()
        _ = try await desk.ingest(Self.call("cdr-1", disposition: "answered"))
        try await desk.generate()
        #expect(try await desk.tickets().isEmpty)
        // The same caller misses a call later: it threads into the phone conversation, still a ticket.
        _ = try await desk.ingest(Self.call("cdr-2", disposition: "missed"))
        try await desk.generate()
        let tickets = try await desk.tickets()
        #expect(tickets.map(\.createdBy) == ["missed-call"] && tickets.first?.type == "call-back" && tickets.first?.priority == .p2)
        _ = try await desk.ingest(Self.call("cdr-3", disposition: "abandoned", caller: "+8613900000000"))
        try await desk.generate()
        #expect(try await desk.tickets().map(\.createdBy) == ["missed-call", "missed-call"])
        try await desk.close()
    }

    @Test("the bot failing twice in a conversation opens one ticket")
    func botFailures() async throws {
        let desk = try await Desk.open()
        let receipt = try await desk.ingest(Fixtures.contact(externalID: "b-1", text: "quantum flux?"))
        try await desk.store.recordBotFailures([receipt.conversationID], at: Date())
        try await desk.generate()
        #expect(try await desk.tickets().isEmpty)
        try await desk.store.recordBotFailures([receipt.conversationID], at: Date())
        try await desk.generate()
        try await desk.store.recordBotFailures([receipt.conversationID], at: Date())
        try await desk.generate()
        let tickets = try await desk.tickets()
        #expect(tickets.map(\.createdBy) == ["bot-failed-twice"] && tickets.first?.subject == "quantum flux?")
        try await desk.close()
    }

    @Test("replies move tickets: a person's reply meets the first response, the customer reopens within the window, later a linked ticket")
    func replies() async throws {
        let desk = try await Desk.open(settings: TicketSettings(reopenWindow: 3600))
        let start = Date().addingTimeInterval(-3 * 86400)
        let first = try await desk.ingest(Self.mail("<r1@example.com>"), at: start)
        try await desk.generate()
        var ticket = try #require(try await desk.tickets().first)
        // The bot's and automatic replies do not count; a person's does.
        _ = try await desk.store.appendReply(
            AgentReply(conversationID: first.conversationID, author: "bot", text: "auto", html: nil, createdAt: Date(), deliver: false))
        try await desk.generate()
        #expect(try await desk.store.ticket(ticket.id)?.firstRespondedAt == nil)
        _ = try await desk.store.appendReply(
            AgentReply(conversationID: first.conversationID, author: "alice", text: "Looking", html: nil, createdAt: Date(), deliver: true))
        try await desk.generate()
        ticket = try #require(try await desk.store.ticket(ticket.id))
        #expect(ticket.firstRespondedAt != nil && ticket.state == .open)

        // Waiting on the customer; the customer answers: open again.
        ticket = try await desk.service.update(ticket.id, actor: "alice") { desk, ticket in
            try desk.transition(ticket, .wait, actor: "alice", note: nil, at: Date())
        }
        var answer = Self.mail("<r2@example.com>")
        answer.threadHints = ThreadHints(replyTo: ["<r1@example.com>"])
        _ = try await desk.ingest(answer)
        try await desk.generate()
        ticket = try #require(try await desk.store.ticket(ticket.id))
        #expect(ticket.state == .open)

        // Resolved; a reply within the hour reopens it.
        ticket = try await desk.service.update(ticket.id, actor: "alice") { desk, ticket in
            try desk.transition(ticket, .resolve, actor: "alice", note: nil, at: Date())
        }
        var again = Self.mail("<r3@example.com>")
        again.threadHints = ThreadHints(replyTo: ["<r1@example.com>"])
        _ = try await desk.ingest(again)
        try await desk.generate()
        ticket = try #require(try await desk.store.ticket(ticket.id))
        #expect(ticket.state == .open)
        let history = try await desk.store.ticketHistory(ticket.id)
        #expect(history.last?.kind == "state" && history.last?.changes["to"] == "open" && history.last?.actor == "customer")

        // Resolved two hours ago (outside the window): a reply starts a new ticket linked to it.
        ticket = try await desk.service.update(ticket.id, actor: "alice") { desk, ticket in
            try desk.transition(ticket, .resolve, actor: "alice", note: nil, at: Date().addingTimeInterval(-7200))
        }
        var late = Self.mail("<r4@example.com>")
        late.threadHints = ThreadHints(replyTo: ["<r1@example.com>"])
        _ = try await desk.ingest(late)
        try await desk.generate()
        let tickets = try await desk.tickets()
        #expect(tickets.count == 2)
        #expect(tickets.last?.linkedTicket == ticket.id && tickets.last?.createdBy == "reply-after-resolution")
        #expect(tickets.last?.conversationIDs == [first.conversationID] && tickets.last?.type == "email")
        #expect(try await desk.store.ticket(ticket.id)?.state == .resolved)
        try await desk.close()
    }

    @Test("SLA marks fire exactly once across a restart, and after a downtime every missed one fires once")
    func exactlyOnce() async throws {
        var desk = try await Desk.open()
        let path = desk.path
        let opened = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let ticket = try await desk.service.open(TicketDraft(type: "general", subject: "SLA", createdBy: "api"), actor: "test", at: opened)
        // Nothing due yet.
        #expect(try await desk.timers.tick(now: opened.addingTimeInterval(60)) == 0)
        // 50 minutes in: the first-response warning (80 % of 60 minutes) fires.
        #expect(try await desk.timers.tick(now: opened.addingTimeInterval(50 * 60)) == 1)
        #expect(try await desk.webhooks().map(\.event) == ["ticket.sla_warning"])
        // The same tick again, and a restart (a new store, service and timer service on the same file): nothing again.
        #expect(try await desk.timers.tick(now: opened.addingTimeInterval(50 * 60)) == 0)
        try await desk.close()
        desk = try await Desk.open(path: path)
        #expect(try await desk.timers.tick(now: opened.addingTimeInterval(55 * 60)) == 0)
        #expect(try await desk.webhooks().count == 1)

        // Down from minute 55 to hour 5: the first-response breach, the resolution warning and
        // breach all passed. Each fires once, in order.
        try await desk.close()
        desk = try await Desk.open(path: path)
        let after = opened.addingTimeInterval(5 * 3600)
        #expect(try await desk.timers.tick(now: after) == 3)
        #expect(try await desk.timers.tick(now: after) == 0)
        try await desk.close()
        desk = try await Desk.open(path: path)
        #expect(try await desk.timers.tick(now: after.addingTimeInterval(86400)) == 0)
        #expect(
            try await desk.webhooks().map(\.event) == ["ticket.sla_warning", "ticket.sla_breached", "ticket.sla_warning", "ticket.sla_breached"])
        let stored = try #require(try await desk.store.ticket(ticket.id))
        #expect(stored.sla.fired == [.firstResponseWarning, .firstResponseBreach, .resolutionWarning, .resolutionBreach])
        let kinds = try await desk.store.ticketHistory(ticket.id).map(\.kind).filter { $0.hasPrefix("sla.") }
        #expect(kinds == ["sla.warning", "sla.breached", "sla.warning", "sla.breached"])
        #expect(try await desk.store.nextSLATimer() == nil)
        try await desk.close()
    }

    @Test("breaches in one tick escalate in one batch: the escalation group's online members share them by load, each once")
    func batchEscalation() async throws {
        let settings = TicketSettings(
            policies: [SLAPolicy(name: "standard", targets: [.init(firstResponseMinutes: 60, resolutionMinutes: 240)])],
            groups: [TicketGroupSettings(group: "support", escalationGroup: "tier2")], defaultPolicy: "standard", webhook: true)
        let desk = try await Desk.open(settings: settings)
        let routing = desk.service.routing
        for name in ["ann", "bob", "cho"] {
            _ = try await routing.putAgent(Agent(id: AgentID(name), name: name, capacity: 10))
        }
        for name in ["ann", "bob"] { _ = try await routing.setPresence(.online, of: AgentID(name)) }
        _ = try await routing.putGroup(RoutingGroup(id: GroupID("support"), name: "Support"))
        _ = try await routing.putGroup(RoutingGroup(id: GroupID("tier2"), name: "Tier 2", members: [AgentID("ann"), AgentID("bob"), AgentID("cho")]))
        let opened = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        var ids: [TicketID] = []
        for index in 0..<6 {
            let ticket = try await desk.service.open(
                TicketDraft(type: "general", group: "support", subject: "late \(index)", createdBy: "api"), actor: "test", at: opened)
            #expect(ticket.assignee == nil, "support has no members: the ticket waits unassigned")
            ids.append(ticket.id)
        }
        // 61 minutes in: six first-response warnings and six breaches are due, fired in one tick.
        #expect(try await desk.timers.tick(now: opened.addingTimeInterval(61 * 60)) == 12)
        #expect(try await desk.timers.tick(now: opened.addingTimeInterval(61 * 60)) == 0)
        let tickets = try await desk.store.tickets(ids: ids)
        #expect(tickets.count == 6)
        #expect(tickets.allSatisfy { $0.group == "tier2" && $0.priority == .p2 && $0.sla.fired == [.firstResponseWarning, .firstResponseBreach] })
        // Spread by load over the online members only (cho is offline), not all to the first pick.
        let load = Dictionary(grouping: tickets.compactMap(\.assignee), by: { $0 }).mapValues(\.count)
        #expect(load == ["ann": 3, "bob": 3], "\(load)")
        #expect(try await desk.webhooks().count == 12)
        try await desk.close()
    }

    @Test("agents editing tickets while their marks fire: the raced batch falls back ticket by ticket, each mark fires once")
    func firingWhileEditing() async throws {
        let desk = try await Desk.open()
        let opened = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        var ids: [TicketID] = []
        for index in 0..<40 {
            ids.append(
                try await desk.service.open(TicketDraft(type: "general", subject: "busy \(index)", createdBy: "api"), actor: "test", at: opened).id)
        }
        // Ticks walk through the five hours in which all four marks of every ticket fall due,
        // while agents keep changing the same tickets' subjects.
        let (timers, service, tickets) = (desk.timers, desk.service, ids)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for minute in stride(from: 40, through: 300, by: 4) {
                    try await timers.tick(now: opened.addingTimeInterval(Double(minute) * 60))
                }
            }
            for agent in 0..<2 {
                group.addTask {
                    for round in 0..<30 {
                        for id in tickets.shuffled().prefix(10) {
                            _ = try await service.update(id, actor: "agent\(agent)") { desk, ticket in
                                try desk.edit(ticket, TicketEdit(subject: "edited \(agent) \(round)"), actor: "agent\(agent)", at: opened.addingTimeInterval(60))
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        try await desk.timers.tick(now: opened.addingTimeInterval(301 * 60))
        let all: [SLAMark] = [.firstResponseWarning, .firstResponseBreach, .resolutionWarning, .resolutionBreach]
        for ticket in try await desk.store.tickets(ids: ids) {
            #expect(ticket.sla.fired.sorted { $0.rawValue < $1.rawValue } == all.sorted { $0.rawValue < $1.rawValue }, "#\(ticket.number): \(ticket.sla.fired)")
            let marks = try await desk.store.ticketHistory(ticket.id).filter { $0.kind.hasPrefix("sla.") }
            #expect(marks.count == 4, "#\(ticket.number) history: \(marks.map(\.kind))")
        }
        #expect(try await desk.webhooks().count == 4 * ids.count)
        try await desk.close()
    }

    @Test("calendars edited between runs: every active ticket's timers are computed again once, at start")
    func calendarsChanged() async throws {
        func settings(_ start: String, _ end: String) throws -> TicketSettings {
            let hours = BusinessHours(timezone: "UTC", weekly: [.init(days: BusinessHours.Weekday.allCases, start: start, end: end)])
            return TicketSettings(
                policies: [SLAPolicy(name: "standard", calendar: "office", targets: [.init(firstResponseMinutes: 60, resolutionMinutes: 240)])],
                calendars: ["office": try BusinessCalendar(hours)], defaultPolicy: "standard", webhook: true)
        }
        // One open hour a day: a ticket opened Monday 09:00 is due for resolution on Thursday 10:00.
        var desk = try await Desk.open(settings: try settings("09:00", "10:00"))
        let path = desk.path
        #expect(try await desk.timers.retimeIfCalendarsChanged(now: Date()) == 0, "a new store: nothing to compute again")
        let monday = Date(timeIntervalSince1970: 1_796_029_200)  // 2026-11-30 09:00 UTC
        let ticket = try await desk.service.open(TicketDraft(type: "general", subject: "cal", createdBy: "api"), actor: "test", at: monday)
        let fourHours = monday.addingTimeInterval(241 * 60)
        #expect(try await desk.store.dueSLATimers(now: fourHours, limit: 10).allSatisfy { $0.mark.clock == .firstResponse })
        try await desk.close()
        // The same calendars again: nothing is rewritten.
        desk = try await Desk.open(path: path, settings: try settings("09:00", "10:00"))
        #expect(try await desk.timers.retimeIfCalendarsChanged(now: monday.addingTimeInterval(30 * 60)) == 0)
        try await desk.close()
        // The office now never closes: the resolution is due four hours after opening.
        desk = try await Desk.open(path: path, settings: try settings("00:00", "24:00"))
        #expect(try await desk.timers.retimeIfCalendarsChanged(now: monday.addingTimeInterval(30 * 60)) == 1)
        #expect(try await desk.timers.retimeIfCalendarsChanged(now: monday.addingTimeInterval(30 * 60)) == 0, "once")
        let due = try await desk.store.dueSLATimers(now: fourHours, limit: 10).map(\.mark)
        #expect(Set(due) == [.firstResponseWarning, .firstResponseBreach, .resolutionWarning, .resolutionBreach], "\(due)")
        #expect(try await desk.store.ticket(ticket.id)?.sla.fired == [], "nothing was due yet when computed again")
        try await desk.close()
    }

    @Test("a paused ticket's timers wait; the SLA resumes where it stopped")
    func pausedTimers() async throws {
        let desk = try await Desk.open()
        let opened = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        var ticket = try await desk.service.open(TicketDraft(type: "general", subject: "pause", createdBy: "api"), actor: "test", at: opened)
        ticket = try await desk.service.update(ticket.id, actor: "alice") { desk, ticket in
            try desk.transition(ticket, .wait, actor: "alice", note: nil, at: opened.addingTimeInterval(30 * 60))
        }
        #expect(try await desk.timers.tick(now: opened.addingTimeInterval(10 * 3600)) == 0)
        #expect(try await desk.store.nextSLATimer() == nil)
        ticket = try await desk.service.update(ticket.id, actor: "customer") { desk, ticket in
            try desk.transition(ticket, .open, actor: "customer", note: nil, at: opened.addingTimeInterval(10 * 3600))
        }
        // 30 minutes were used; the warning is 18 minutes after resuming, the breach 30.
        #expect(try await desk.store.nextSLATimer() == opened.addingTimeInterval(10 * 3600 + 18 * 60))
        #expect(try await desk.timers.tick(now: opened.addingTimeInterval(10 * 3600 + 31 * 60)) == 2)
        #expect(try await desk.store.ticket(ticket.id)?.sla.breached == true)
        try await desk.close()
    }
}
