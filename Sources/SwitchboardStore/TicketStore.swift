import Foundation
import SwitchboardCore
import SwitchboardRouting
import SwitchboardTickets

/// What tickets need from a storage backend: tickets with their audit trail and comments, the
/// SLA timer index, the ticket webhooks waiting in the outbox, and the definitions managed
/// through the API.
public protocol TicketStore: Sendable {
    /// Writes changes in one transaction: each ticket (new ones get their number), its history,
    /// comment (with the public reply it sends, appended to the conversation and queued for
    /// delivery), webhooks, and its SLA timers (replacing the ones it had); moves a consumer's
    /// position with them when given. Throws a stale ``StoreError`` (``StoreError/isStale``) when a
    /// ticket's version is no longer the one the change was made from (nothing is written then), and
    /// ``StoreError/notFound(_:)`` / ``StoreError/conflict(_:)`` from the reply as
    /// ``ConversationStore/appendReply(_:)`` does.
    @discardableResult
    func saveTickets(_ writes: [TicketWrite], consumer: ConsumerPosition?) async throws -> [Ticket]
    func ticket(_ id: TicketID) async throws -> Ticket?
    func ticket(number: Int64) async throws -> Ticket?
    func tickets(_ query: TicketQuery) async throws -> TicketPage
    /// The tickets with these ids that exist, in no particular order (one read for a batch).
    func tickets(ids: [TicketID]) async throws -> [Ticket]
    /// The tickets linked to each conversation, newest first.
    func tickets(forConversations conversations: [ConversationID]) async throws -> [ConversationID: [Ticket]]
    /// A ticket's audit trail, oldest first.
    func ticketHistory(_ id: TicketID) async throws -> [TicketHistoryEntry]
    func ticketComments(_ id: TicketID) async throws -> [TicketComment]
    /// Timers due at or before `now`, earliest first, at most `limit` — read from an index on
    /// the due time, never by scanning tickets.
    func dueSLATimers(now: Date, limit: Int) async throws -> [SLATimer]
    /// When the earliest timer is due; `nil` if none is set.
    func nextSLATimer() async throws -> Date?
    /// Active tickets per assignee, for the agents given.
    func activeTicketLoad(_ agents: [String]) async throws -> [String: Int]
    /// The facts generator rules look at, for each conversation that exists.
    func ticketFacts(for conversations: [ConversationID]) async throws -> [ConversationID: TicketFacts]
    /// A customer's name, attributes and VIP level (for templates and SLA tiers).
    func ticketCustomer(_ id: CustomerID) async throws -> TicketCustomer?
    /// The outbox entries tickets react to after `position`: `contact.ingested`, `bot.failed`, and
    /// people's replies (`reply.deliver` of replies neither automatic nor by the bot or system).
    func ticketActivity(after position: Int64, limit: Int) async throws -> [OutboxEvent]
    /// Records that the bot found no answer in a conversation (an outbox event `bot.failed`).
    func recordBotFailures(_ conversations: [ConversationID], at time: Date) async throws
    /// The ticket types and generator rules managed through the API (empty when none saved).
    func loadTicketDefinitions() async throws -> (types: [TicketType], rules: [TicketRule])
    func saveTicketTypes(_ types: [TicketType]) async throws
    func saveTicketRules(_ rules: [TicketRule]) async throws
    /// Ticket webhooks whose next attempt is due, oldest first.
    func dueTicketWebhooks(now: Date, limit: Int) async throws -> [PendingWebhook]
    func nextTicketWebhookDue() async throws -> Date?
    func markWebhookDelivered(_ id: Int64, at time: Date) async throws
    func rescheduleWebhook(_ id: Int64, attempts: Int, nextAttemptAt: Date, error: String) async throws
    func markWebhookFailed(_ id: Int64, attempts: Int, at time: Date, error: String) async throws
}

/// One ticket change to write (see ``TicketStore/saveTickets(_:consumer:)``).
public struct TicketWrite: Sendable {
    public var change: TicketChange
    /// The complete set of timers the ticket now waits on.
    public var timers: [SLATimer]
    /// The public reply a comment sends, if any.
    public var reply: AgentReply?
    /// The running clocks' deadlines (for the `due before` filter and the API).
    public var firstResponseDueAt: Date?
    public var resolutionDueAt: Date?

    public init(
        change: TicketChange, timers: [SLATimer], reply: AgentReply? = nil, firstResponseDueAt: Date? = nil,
        resolutionDueAt: Date? = nil
    ) {
        self.change = change
        self.timers = timers
        self.reply = reply
        self.firstResponseDueAt = firstResponseDueAt
        self.resolutionDueAt = resolutionDueAt
    }
}

/// Filters and paging for listing tickets.
public struct TicketQuery: Sendable, Hashable {
    public var states: [TicketState]?
    public var group: String?
    public var assignee: String?
    public var priority: TicketPriority?
    public var breached: Bool?
    /// Tickets with a running SLA due (first response or resolution) before this.
    public var dueBefore: Date?
    /// Words that must appear in the subject, fields or comments.
    public var text: String?
    public var customerID: CustomerID?
    public var limit: Int
    /// Tickets with a number below this (the previous page's `nextCursor`).
    public var before: Int64?

    public init(
        states: [TicketState]? = nil, group: String? = nil, assignee: String? = nil, priority: TicketPriority? = nil,
        breached: Bool? = nil, dueBefore: Date? = nil, text: String? = nil, customerID: CustomerID? = nil, limit: Int = 50,
        before: Int64? = nil
    ) {
        self.states = states
        self.group = group
        self.assignee = assignee
        self.priority = priority
        self.breached = breached
        self.dueBefore = dueBefore
        self.text = text
        self.customerID = customerID
        self.limit = min(max(limit, 1), 500)
        self.before = before
    }
}

public struct TicketPage: Sendable, Hashable {
    public var items: [Ticket]
    public var nextCursor: Int64?

    public init(items: [Ticket], nextCursor: Int64?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// What ticket templates and SLA tiers need to know about a customer.
public struct TicketCustomer: Sendable, Hashable {
    public var id: CustomerID
    public var name: String?
    public var attributes: [String: String]
    public var vipLevel: Int

    public init(id: CustomerID, name: String?, attributes: [String: String], vipLevel: Int) {
        self.id = id
        self.name = name
        self.attributes = attributes
        self.vipLevel = vipLevel
    }
}

/// A ticket webhook waiting to be sent.
public struct PendingWebhook: Sendable, Hashable {
    public var id: Int64
    public var attempts: Int
    public var event: String
    public var body: String
    public var createdAt: Date

    public init(id: Int64, attempts: Int, event: String, body: String, createdAt: Date) {
        self.id = id
        self.attempts = attempts
        self.event = event
        self.body = body
        self.createdAt = createdAt
    }
}
