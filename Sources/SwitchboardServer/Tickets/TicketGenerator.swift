import Foundation
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore
import SwitchboardTickets

/// Opens and moves tickets from the outbox: a contact that matches a generator rule opens a
/// ticket; a customer's reply opens a pending ticket again, reopens a resolved one within the
/// window, or starts a new ticket linked to the old; a person's reply meets the first-response
/// target; the bot's second failure opens a ticket.
///
/// The consumer's position is saved in the same transaction as the tickets a batch changed, so a
/// crash can neither open a ticket twice nor skip an event.
public struct TicketGenerator: Service {
    static let name = "tickets"

    let service: TicketService
    let wakeup: Wakeup
    let pollInterval: Duration
    let logger: Logger

    /// A generator that polls every `pollInterval` (the gateway also wakes it on each commit).
    public init(service: TicketService, pollInterval: Duration = .milliseconds(200), logger: Logger) {
        self.init(service: service, wakeup: Wakeup(), pollInterval: pollInterval, logger: logger)
    }

    init(
        service: TicketService, wakeup: Wakeup, pollInterval: Duration, logger: Logger,
        loadDefinitions: (types: Bool, rules: Bool) = (false, false), defaultRules: Bool = true
    ) {
        self.service = service
        self.wakeup = wakeup
        self.pollInterval = pollInterval
        self.logger = logger
        self.loadDefinitions = loadDefinitions
        self.defaultRules = defaultRules
    }
    /// Whether types / rules are managed through the API (then loaded from the store at start).
    var loadDefinitions: (types: Bool, rules: Bool)
    var defaultRules: Bool
    /// Events read per batch.
    public var batchSize = 200

    var store: any GatewayStore { service.store }

    /// Loads the types and rules the API manages.
    func start() async throws {
        guard loadDefinitions.types || loadDefinitions.rules else { return }
        let stored = try await store.loadTicketDefinitions()
        let defaults = defaultRules
        service.updateSettings { settings in
            if loadDefinitions.types && !stored.types.isEmpty { settings = settings.replacingTypes(stored.types) }
            if loadDefinitions.rules && !stored.rules.isEmpty { settings.rules = stored.rules + (defaults ? TicketRule.defaults : []) }
        }
    }

    public func run() async throws {
        try await start()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if try await step() == 0 { await wakeup.wait(timeout: pollInterval) }
            } catch let error as StoreError where error.isStale {
                logger.debug("ticket batch raced another change; reading it again", metadata: ["sb.reason": "\(error)"])
            } catch {
                logger.error("ticket generator failed; retrying in 1 s", metadata: ["sb.error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Processes one batch of outbox events from the saved position: its ticket changes and the
    /// new position are written in one transaction. Returns how many events it read (0: none new).
    public func step() async throws -> Int {
        let position = try await store.consumerPosition(Self.name)
        let events = try await store.ticketActivity(after: position, limit: batchSize)
        guard let last = events.last else { return 0 }
        let changes = try await process(events)
        try await store.saveTickets(
            changes.map { service.write($0) }, consumer: ConsumerPosition(consumer: Self.name, position: last.position))
        service.notify(changes)
        return events.count
    }

    /// The ticket changes one batch of events makes, in order (several events may change the
    /// same ticket; their changes are merged).
    func process(_ events: [OutboxEvent]) async throws -> [TicketChange] {
        let conversations = Array(Set(events.compactMap(\.conversationID)))
        var linked = try await store.tickets(forConversations: conversations)
        var facts: [ConversationID: TicketFacts]?
        var batch = Batch()
        let desk = service.currentDesk
        for event in events {
            guard let conversation = event.conversationID else { continue }
            let tickets = (linked[conversation] ?? []).map { batch.current($0) }
            switch event.topic {
            case "contact.ingested":
                if let active = tickets.first(where: \.isActive) {
                    if let change = desk.customerReplied(active, at: event.createdAt) { batch.apply(change) }
                } else if let latest = tickets.first {
                    if let change = desk.customerReplied(latest, at: event.createdAt) {
                        batch.apply(change)
                    } else if let change = try await continuation(of: latest, conversation: conversation, at: event.createdAt, batch: &batch) {
                        linked[conversation, default: []].insert(change.ticket, at: 0)
                    }
                } else {
                    if facts == nil { facts = try await store.ticketFacts(for: conversations) }
                    let trigger: TicketTrigger = Self.isNewConversation(event) ? .newConversation : .contact
                    if let fact = facts?[conversation],
                        let change = try await generate(trigger, facts: fact, at: event.createdAt, batch: &batch)
                    {
                        linked[conversation, default: []].insert(change.ticket, at: 0)
                    }
                }
            case "reply.deliver", "reply.recorded":
                for ticket in tickets where ticket.isActive {
                    batch.apply(desk.agentReplied(ticket, actor: "agent", at: event.createdAt))
                }
            case "bot.failed":
                guard !tickets.contains(where: \.isActive) else { continue }
                if facts == nil { facts = try await store.ticketFacts(for: conversations) }
                if let fact = facts?[conversation], let change = try await generate(.botFailed, facts: fact, at: event.createdAt, batch: &batch) {
                    linked[conversation, default: []].insert(change.ticket, at: 0)
                }
            default:
                continue
            }
        }
        return batch.ordered
    }

    /// Opens a ticket by the first rule that matches, if any.
    func generate(_ trigger: TicketTrigger, facts: TicketFacts, at now: Date, batch: inout Batch) async throws -> TicketChange? {
        let desk = service.currentDesk
        guard let rule = desk.settings.rules.first(where: { $0.matches(facts, trigger: trigger) }) else { return nil }
        do {
            var change = try desk.open(Self.draft(rule, facts: facts), actor: rule.name, at: now)
            if let group = change.needsAssignment {
                desk.assign(&change, to: try await batch.pick(group, service: service), actor: rule.name, at: now)
            }
            batch.apply(change)
            return change
        } catch let error as ValidationError {
            // A rule whose template cannot be filled from the contact: say so loudly, keep going.
            logger.error(
                "ticket rule could not open a ticket",
                metadata: ["sb.rule": "\(rule.name)", "sb.conversation": "\(facts.conversationID)", "sb.error": "\(error)"])
            return nil
        }
    }

    /// A customer wrote after the reopen window (or to a closed ticket): a new ticket of the same
    /// type and group, linked to the old one.
    func continuation(of ticket: Ticket, conversation: ConversationID, at now: Date, batch: inout Batch) async throws -> TicketChange? {
        let desk = service.currentDesk
        var attributes: [String: String] = [:]
        var vipLevel = 0
        if let customer = ticket.customerID, let facts = try await store.ticketCustomer(customer) {
            attributes = facts.attributes
            vipLevel = facts.vipLevel
        }
        let draft = TicketDraft(
            type: desk.settings.types[ticket.type] == nil ? "general" : ticket.type, group: ticket.group, subject: ticket.subject,
            customerID: ticket.customerID, customerAttributes: attributes, vipLevel: vipLevel, conversationIDs: [conversation],
            createdBy: "reply-after-resolution", linkedTicket: ticket.id,
            note: "the customer wrote after ticket #\(ticket.number) was \(ticket.state == .closed ? "closed" : "resolved")")
        do {
            var change = try desk.open(draft, actor: "customer", at: now)
            if let group = change.needsAssignment {
                desk.assign(&change, to: try await batch.pick(group, service: service), actor: "customer", at: now)
            }
            batch.apply(change)
            return change
        } catch let error as ValidationError {
            logger.error(
                "could not open the follow-up ticket", metadata: ["sb.ticket": "\(ticket.id)", "sb.error": "\(error)"])
            return nil
        }
    }

    static func draft(_ rule: TicketRule, facts: TicketFacts) -> TicketDraft {
        TicketDraft(
            type: rule.then.type, priority: rule.then.priority, group: rule.then.group,
            subject: facts.subject ?? facts.text.map(Self.summary), fields: rule.fieldValues(facts), customerID: facts.customerID,
            customerAttributes: facts.customerAttributes, vipLevel: facts.vipLevel, conversationIDs: [facts.conversationID],
            createdBy: rule.name)
    }

    /// The first line of a message, at most 120 characters: a subject for contacts without one.
    static func summary(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.count <= 120 ? trimmed : String(trimmed.prefix(119)) + "…"
    }

    static func isNewConversation(_ event: OutboxEvent) -> Bool {
        struct Payload: Decodable { var newConversation: Bool? }
        return (try? JSONDecoder().decode(Payload.self, from: Data(event.payload.utf8)))?.newConversation == true
    }

    /// The changes of one batch, merged per ticket, and the tickets assigned within it (so load
    /// counts them before they are stored).
    struct Batch {
        private var changes: [TicketID: TicketChange] = [:]
        private var order: [TicketID] = []
        private var assigned: [String: Int] = [:]

        /// The ticket as this batch has left it.
        func current(_ ticket: Ticket) -> Ticket { changes[ticket.id]?.ticket ?? ticket }

        mutating func apply(_ change: TicketChange) {
            guard let existing = changes[change.ticket.id] else {
                changes[change.ticket.id] = change
                order.append(change.ticket.id)
                return
            }
            var merged = existing
            merged.ticket = change.ticket
            merged.history += change.history
            merged.webhooks += change.webhooks
            merged.comment = merged.comment ?? change.comment
            changes[change.ticket.id] = merged
        }

        mutating func pick(_ group: String, service: TicketService) async throws -> String? {
            let agent = try await service.pickMember(of: group, extraLoad: assigned)
            if let agent { assigned[agent, default: 0] += 1 }
            return agent
        }

        var ordered: [TicketChange] { order.compactMap { changes[$0] }.filter { !$0.isEmpty } }
    }
}
