import Foundation
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore
import SwitchboardTickets

extension StoreConformance {
    static let ticketChecks: [Check] = [
        ("tickets are numbered, versioned and found by id, number and conversation", { s, store in try await s.ticketBasics(store) }),
        ("a ticket change writes history, comment and public reply together or not at all", { s, store in try await s.ticketComments(store) }),
        ("SLA timers are replaced with each write and found by due time", { s, store in try await s.slaTimers(store) }),
        ("ticket listing filters, searches and pages", { s, store in try await s.ticketListing(store) }),
        ("ticket webhooks are queued with their change and retried, delivered or failed", { s, store in try await s.ticketWebhooks(store) }),
        ("ticket activity: contacts, people's replies and bot failures, not bot or automatic replies", { s, store in
            try await s.ticketActivity(store)
        }),
        ("ticket load, definitions and the generator's position", { s, store in try await s.ticketLoadAndDefinitions(store) }),
    ]

    static let ticketDesk = TicketDesk(
        settings: TicketSettings(
            types: [TicketType(name: "order", fields: [.init(name: "orderNumber", kind: .text)])],
            policies: [SLAPolicy(name: "fast", targets: [.init(firstResponseMinutes: 10, resolutionMinutes: 60)])],
            defaultPolicy: "fast", webhook: true))

    func newTicket(
        _ store: any GatewayStore, subject: String = "Printer on fire", type: String = "general",
        fields: [String: TicketType.FieldValue] = [:], group: String? = nil, assignee: String? = nil,
        conversation: ConversationID? = nil, customer: CustomerID? = nil, priority: TicketPriority? = nil, at now: Date = Date()
    ) async throws -> Ticket {
        let change = try Self.ticketDesk.open(
            TicketDraft(
                type: type, priority: priority, group: group, assignee: assignee, subject: subject, fields: fields, customerID: customer,
                conversationIDs: conversation.map { [$0] } ?? [], createdBy: "api"), actor: "tester", at: now)
        let saved = try await store.saveTickets([write(change)], consumer: nil)
        guard let ticket = saved.first else { throw ConformanceFailure(check: "new ticket", message: "saveTickets returned nothing") }
        return ticket
    }

    func write(_ change: TicketChange, reply: AgentReply? = nil) -> TicketWrite {
        TicketWrite(
            change: change, timers: Self.ticketDesk.timers(for: change.ticket), reply: reply,
            firstResponseDueAt: Self.ticketDesk.deadline(.firstResponse, of: change.ticket),
            resolutionDueAt: Self.ticketDesk.deadline(.resolution, of: change.ticket))
    }

    func ticketBasics(_ store: any GatewayStore) async throws {
        let check = "ticket basics"
        let receipt = try await ingest(store, [Fixtures.contact(externalID: "t-1")])[0]
        let first = try await newTicket(store, conversation: receipt.conversationID, customer: receipt.customerID)
        let second = try await newTicket(store, subject: "second")
        try expect(first.number > 0 && second.number > first.number, check, "numbers are assigned in order: \(first.number), \(second.number)")
        try expect(first.version == 1, check, "a new ticket is version 1, got \(first.version)")
        try await expectAwaiting(try await store.ticket(first.id) == first, check, "found by id as saved")
        try await expectAwaiting(try await store.ticket(number: second.number)?.id == second.id, check, "found by number")
        let linked = try await store.tickets(forConversations: [receipt.conversationID, ConversationID("none")])
        try expect(linked[receipt.conversationID]?.map(\.id) == [first.id] && linked.count == 1, check, "found by conversation")
        let batch = try await store.tickets(ids: [second.id, TicketID("missing"), first.id, second.id])
        try expect(
            Set(batch.map(\.id)) == [first.id, second.id] && batch.count == 2, check, "found in a batch by id, each once: \(batch.map(\.id))")
        try await expectAwaiting(try await store.tickets(ids: []).isEmpty, check, "an empty batch finds nothing")

        let moved = try Self.ticketDesk.transition(first, .open, actor: "alice", note: nil, at: Date())
        let updated = try await store.saveTickets([write(moved)], consumer: nil)
        try expect(updated.first?.version == 2 && updated.first?.state == .open, check, "an update bumps the version")
        // A change made from version 1 again lost the race: refused, nothing written.
        let late = try Self.ticketDesk.transition(first, .close, actor: "bob", note: nil, at: Date())
        do {
            try await store.saveTickets([write(late)], consumer: nil)
            throw ConformanceFailure(check: check, message: "a stale write must be refused")
        } catch let error as StoreError {
            try expect(error.isStale, check, "the refusal is a stale-version error, got \(error)")
        }
        try await expectAwaiting(try await store.ticket(first.id)?.state == .open, check, "the stale change was not written")
        try await expectAwaiting(try await store.ticketHistory(first.id).map(\.kind) == ["created", "state"], check, "history has no trace of it")
        try await expectAwaiting(try await store.ticket(TicketID("missing")) == nil, check, "unknown id is nil")
    }

    func ticketComments(_ store: any GatewayStore) async throws {
        let check = "ticket comments"
        let receipt = try await ingest(store, [Fixtures.contact(externalID: "t-2")])[0]
        let ticket = try await newTicket(store, conversation: receipt.conversationID)
        let now = Date()
        let reply = AgentReply(
            conversationID: receipt.conversationID, author: "alice", text: "We are on it", html: nil, createdAt: now, deliver: true)
        let comment = TicketComment(ticketID: ticket.id, author: "alice", text: "We are on it", isPublic: true, messageID: reply.messageID, createdAt: now)
        let change = Self.ticketDesk.comment(ticket, comment, at: now)
        let saved = try await store.saveTickets([write(change, reply: reply)], consumer: nil)
        try expect(saved.first?.firstRespondedAt != nil, check, "the public comment counts as the first response")
        let comments = try await store.ticketComments(ticket.id)
        try expect(comments.count == 1 && comments[0].isPublic && comments[0].messageID == reply.messageID, check, "comment kept: \(comments)")
        let messages = try await store.conversation(receipt.conversationID)?.messages ?? []
        try expect(messages.contains { $0.id == reply.messageID && $0.direction == .outbound }, check, "the reply is in the conversation")
        try await expectAwaiting(
            try await store.dueDeliveries(now: now.addingTimeInterval(1), limit: 10).contains { $0.message.messageID == reply.messageID },
            check, "the reply is queued for delivery")
        try await expectAwaiting(
            try await store.ticketHistory(ticket.id).map(\.kind) == ["created", "comment", "sla.met", "state"], check,
            "history in order")

        // A public comment to a closed conversation: refused, and the ticket change with it.
        let current = try await store.ticket(ticket.id)
        _ = try await store.close(receipt.conversationID, at: now)
        let refused = AgentReply(conversationID: receipt.conversationID, author: "alice", text: "again", html: nil, createdAt: now, deliver: true)
        let second = TicketComment(ticketID: ticket.id, author: "alice", text: "again", isPublic: true, messageID: refused.messageID, createdAt: now)
        guard let current else { throw ConformanceFailure(check: check, message: "ticket vanished") }
        do {
            try await store.saveTickets([write(Self.ticketDesk.comment(current, second, at: now), reply: refused)], consumer: nil)
            throw ConformanceFailure(check: check, message: "a reply to a closed conversation must be refused")
        } catch let error as StoreError {
            try expect(error.httpStatus == 409, check, "refused as a conflict: \(error)")
        }
        try await expectAwaiting(try await store.ticketComments(ticket.id).count == 1, check, "the refused comment was not kept")
        try await expectAwaiting(try await store.ticket(ticket.id)?.version == current.version, check, "the ticket was not changed")
    }

    func slaTimers(_ store: any GatewayStore) async throws {
        let check = "SLA timers"
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let early = try await newTicket(store, subject: "early", at: base)
        let late = try await newTicket(store, subject: "late", at: base.addingTimeInterval(3600))
        let none = try await store.dueSLATimers(now: base.addingTimeInterval(60), limit: 10)
        try expect(none.isEmpty, check, "nothing due a minute in: \(none)")
        try await expectAwaiting(try await store.nextSLATimer() == base.addingTimeInterval(480), check, "the earliest timer is the 80 % warning")
        let due = try await store.dueSLATimers(now: base.addingTimeInterval(4200), limit: 10)
        try expect(
            due.map(\.mark) == [
                .firstResponseWarning, .firstResponseBreach, .resolutionWarning, .resolutionBreach, .firstResponseWarning,
                .firstResponseBreach,
            ] && due.map(\.ticketID) == [early.id, early.id, early.id, early.id, late.id, late.id], check,
            "due timers in due order: \(due.map { "\($0.ticketID == early.id ? "early" : "late") \($0.mark)" })")
        let limited = try await store.dueSLATimers(now: base.addingTimeInterval(4200), limit: 2)
        try expect(due.map(\.dueAt) == due.map(\.dueAt).sorted() && limited.count == 2, check, "ordered and limited")
        // Firing writes the ticket with the rest of its timers: the fired ones are gone.
        let fired = Self.ticketDesk.fireDue(early, at: base.addingTimeInterval(4200))
        try await store.saveTickets([write(fired)], consumer: nil)
        let after = try await store.dueSLATimers(now: base.addingTimeInterval(4200), limit: 10)
        try expect(after.map(\.ticketID) == [late.id, late.id], check, "the early ticket's fired timers are gone: \(after)")
        let resolved = try Self.ticketDesk.transition(late, .resolve, actor: "alice", note: nil, at: base.addingTimeInterval(4300))
        try await store.saveTickets([write(resolved)], consumer: nil)
        try await expectAwaiting(
            try await store.dueSLATimers(now: base.addingTimeInterval(100_000), limit: 10).allSatisfy { $0.ticketID == early.id }, check,
            "a resolved ticket has no timers")
        // Sub-millisecond times: a timer is never reported before its exact due time, or the
        // timer service would find it due, fire nothing, and find it again.
        let odd = try await newTicket(store, subject: "odd", at: base.addingTimeInterval(200_000.0004))
        let warningAt = base.addingTimeInterval(200_000.0004 + 480)
        let early2 = try await store.dueSLATimers(now: warningAt.addingTimeInterval(-0.0002), limit: 10).filter { $0.ticketID == odd.id }
        try expect(early2.isEmpty, check, "not reported 0.2 ms before it is due: \(early2)")
        let onTime = try await store.dueSLATimers(now: warningAt.addingTimeInterval(0.001), limit: 10).filter { $0.ticketID == odd.id }
        try expect(onTime.map(\.mark) == [.firstResponseWarning], check, "reported once due: \(onTime)")
        try expect(
            Self.ticketDesk.fireDue(odd, at: warningAt.addingTimeInterval(0.001)).ticket.sla.fired == [.firstResponseWarning], check,
            "and the desk fires what the index reports due")
    }

    func ticketListing(_ store: any GatewayStore) async throws {
        let check = "ticket listing"
        let receipt = try await ingest(store, [Fixtures.contact(externalID: "t-3")])[0]
        let a = try await newTicket(store, subject: "Refund for order", group: "billing", assignee: "alice", customer: receipt.customerID, priority: .p1)
        let b = try await newTicket(store, subject: "Broken hinge", type: "order", fields: ["orderNumber": .text("SO-50%")], group: "support")
        let c = try await newTicket(store, subject: "Question", group: "support", assignee: "bob")
        let comment = TicketComment(ticketID: c.id, author: "bob", text: "customer mentions a gazebo", isPublic: false, messageID: nil, createdAt: Date())
        try await store.saveTickets([write(Self.ticketDesk.comment(c, comment, at: Date()))], consumer: nil)
        let breached = Self.ticketDesk.fireDue(b, at: Date().addingTimeInterval(7200))
        try await store.saveTickets([write(breached)], consumer: nil)
        func ids(_ query: TicketQuery) async throws -> [TicketID] { try await store.tickets(query).items.map(\.id) }
        try await expectAwaiting(try await ids(TicketQuery()) == [c.id, b.id, a.id], check, "newest first")
        try await expectAwaiting(try await ids(TicketQuery(group: "support")) == [c.id, b.id], check, "by group")
        try await expectAwaiting(try await ids(TicketQuery(assignee: "alice")) == [a.id], check, "by assignee")
        try await expectAwaiting(try await ids(TicketQuery(priority: .p1)) == [b.id, a.id], check, "by priority (b's two breaches raised it to P1)")
        try await expectAwaiting(try await ids(TicketQuery(breached: true)) == [b.id], check, "breached")
        try await expectAwaiting(try await ids(TicketQuery(breached: false)) == [c.id, a.id], check, "not breached")
        try await expectAwaiting(try await ids(TicketQuery(states: [.open])).isEmpty, check, "by state (an internal note does not open a ticket)")
        try await expectAwaiting(try await ids(TicketQuery(states: [.new, .open])) == [c.id, b.id, a.id], check, "several states")
        try await expectAwaiting(try await ids(TicketQuery(customerID: receipt.customerID)) == [a.id], check, "by customer")
        try await expectAwaiting(try await ids(TicketQuery(text: "refund")) == [a.id], check, "search in the subject, any case")
        try await expectAwaiting(try await ids(TicketQuery(text: "SO-50%")) == [b.id], check, "search in fields, % taken literally")
        try await expectAwaiting(try await ids(TicketQuery(text: "50_")).isEmpty, check, "_ taken literally")
        try await expectAwaiting(try await ids(TicketQuery(text: "gazebo")) == [c.id], check, "search in comments")
        try await expectAwaiting(try await ids(TicketQuery(dueBefore: Date().addingTimeInterval(5 * 60))).isEmpty, check, "nothing due within 5 minutes")
        try await expectAwaiting(
            try await ids(TicketQuery(dueBefore: Date().addingTimeInterval(30 * 60))) == [c.id, b.id, a.id], check,
            "first responses due within 30 minutes (b's overdue)")
        let page = try await store.tickets(TicketQuery(limit: 2))
        try expect(page.items.map(\.id) == [c.id, b.id] && page.nextCursor != nil, check, "first page")
        try await expectAwaiting(try await ids(TicketQuery(limit: 2, before: page.nextCursor)) == [a.id], check, "second page")
        _ = a
    }

    func ticketWebhooks(_ store: any GatewayStore) async throws {
        let check = "ticket webhooks"
        let now = Date()
        let ticket = try await newTicket(store, at: now.addingTimeInterval(-7200))
        let fired = Self.ticketDesk.fireDue(ticket, at: now)
        try expect(fired.webhooks.count == 4, check, "four marks passed: \(fired.webhooks.map(\.event))")
        try await store.saveTickets([write(fired)], consumer: nil)
        let due = try await store.dueTicketWebhooks(now: now.addingTimeInterval(1), limit: 10)
        try expect(due.map(\.event) == fired.webhooks.map(\.event) && due.map(\.body) == fired.webhooks.map(\.body), check, "queued in order")
        try await expectAwaiting(try await store.dueDeliveries(now: now.addingTimeInterval(1), limit: 10).isEmpty, check, "not reply deliveries")
        try await expectAwaiting(try await store.nextDeliveryDue() == nil, check, "the reply worker does not wake for them")
        try await store.rescheduleWebhook(due[0].id, attempts: 1, nextAttemptAt: now.addingTimeInterval(60), error: "answered 503")
        try await store.markWebhookDelivered(due[1].id, at: now)
        try await store.markWebhookFailed(due[2].id, attempts: 9, at: now, error: "gave up")
        let left = try await store.dueTicketWebhooks(now: now.addingTimeInterval(1), limit: 10)
        try expect(left.map(\.id) == [due[3].id], check, "delivered, failed and rescheduled ones are not due: \(left.map(\.id))")
        let later = try await store.dueTicketWebhooks(now: now.addingTimeInterval(61), limit: 10)
        try expect(
            later.map(\.id) == [due[3].id, due[0].id] && later.last?.attempts == 1, check,
            "the rescheduled one is due again with its attempts")
        try await expectAwaiting(try await store.nextTicketWebhookDue() != nil, check, "next due known")
    }

    func ticketActivity(_ store: any GatewayStore) async throws {
        let check = "ticket activity"
        var contact = Fixtures.contact(
            externalID: "t-4", text: "call me", attributes: ["tier": "gold"],
            routing: RoutingAttributes(sourcePage: "/help", extra: ["disposition": "missed", "subject": "Missed call"]))
        contact.channelKind = ChannelKind(rawValue: "phone")
        let receipt = try await ingest(store, [contact])[0]
        let start = try await store.ticketActivity(after: 0, limit: 100).last?.position ?? 0
        let conversation = receipt.conversationID
        let now = Date()
        for (author, deliver, automatic) in [("alice", true, false), ("bot", true, false), ("auto-reply", true, true), ("bob", false, false)] {
            _ = try await store.appendReply(
                AgentReply(conversationID: conversation, author: author, text: "hi", html: nil, createdAt: now, deliver: deliver, automatic: automatic))
        }
        try await store.recordBotFailures([conversation, conversation], at: now)
        let events = try await store.ticketActivity(after: start, limit: 100)
        try expect(
            events.map(\.topic) == ["reply.deliver", "reply.recorded", "bot.failed", "bot.failed"], check,
            "people's replies (delivered or not) and bot failures: \(events.map(\.topic))")
        try expect(events.allSatisfy { $0.conversationID == conversation }, check, "each names the conversation")
        let all = try await store.ticketActivity(after: 0, limit: 100)
        try expect(all.first?.topic == "contact.ingested" && all.first?.messageID == receipt.messageID, check, "contacts first")
        let facts = try await store.ticketFacts(for: [conversation, ConversationID("gone")])
        guard let fact = facts[conversation], facts.count == 1 else {
            throw ConformanceFailure(check: check, message: "facts for the conversation only: \(facts.keys)")
        }
        try expect(fact.channelKind == "phone" && fact.text == "call me" && fact.subject == "Missed call", check, "contact facts: \(fact)")
        try expect(fact.contactAttributes["disposition"] == "missed" && fact.contactAttributes["page"] == "/help", check, "contact attributes")
        try expect(fact.customerAttributes["tier"] == "gold" && fact.customerID == receipt.customerID, check, "customer facts")
        try expect(fact.botFailures == 2, check, "bot failures counted: \(fact.botFailures)")
        let customer = try await store.ticketCustomer(receipt.customerID)
        try expect(customer?.attributes["tier"] == "gold", check, "customer for templates: \(String(describing: customer))")
    }

    func ticketLoadAndDefinitions(_ store: any GatewayStore) async throws {
        let check = "ticket load"
        let one = try await newTicket(store, assignee: "alice")
        _ = try await newTicket(store, assignee: "alice")
        _ = try await newTicket(store, assignee: "bob")
        let resolved = try Self.ticketDesk.transition(one, .resolve, actor: "alice", note: nil, at: Date())
        try await store.saveTickets([write(resolved)], consumer: ConsumerPosition(consumer: "tickets", position: 42))
        let load = try await store.activeTicketLoad(["alice", "bob", "carol"])
        try expect(load == ["alice": 1, "bob": 1, "carol": 0], check, "active tickets only: \(load)")
        try await expectAwaiting(try await store.consumerPosition("tickets") == 42, check, "position saved with the change")
        let type = TicketType(name: "refund", fields: [.init(name: "amount", kind: .number, required: true)], defaultPriority: .p2)
        let rule = TicketRule(name: "refunds", on: .contact, when: .init(keywords: ["refund"]), then: .init(type: "refund"))
        try await store.saveTicketTypes([type])
        try await store.saveTicketRules([rule])
        let loaded = try await store.loadTicketDefinitions()
        try expect(loaded.types == [type] && loaded.rules == [rule], check, "definitions round-trip")
        try await store.saveTicketRules([])
        try await expectAwaiting(try await store.loadTicketDefinitions().rules.isEmpty, check, "rules replaced")
    }
}
