import Foundation
import SwitchboardCore

public typealias TicketID = Identifier<Ticket>

/// A piece of follow-up work that outlives a conversation: who owns it, how urgent it is, where
/// it stands, and the SLA clocks that make sure it does not sit unowned or quietly overdue.
///
/// A ticket links one or more conversations (a reply after the reopen window starts a new ticket
/// linked to the old one). `version` guards concurrent changes: a store refuses a write whose
/// version is not the one it holds.
public struct Ticket: Sendable, Hashable, Codable {
    public var id: TicketID
    /// The short human number (`#1042`); 0 until the store assigns it.
    public var number: Int64
    /// The ticket type's name.
    public var type: String
    public var state: TicketState
    public var priority: TicketPriority
    public var group: String?
    public var assignee: String?
    public var customerID: CustomerID?
    public var subject: String
    /// Field values, checked against the type's template and kept as text.
    public var fields: [String: String]
    public var conversationIDs: [ConversationID]
    /// The generator rule that created it (`email-new-thread`), or `api` / `agent-escalation`.
    public var createdBy: String
    /// The earlier ticket this one continues (a reply after the reopen window).
    public var linkedTicket: TicketID?
    public var sla: TicketSLA
    public var createdAt: Date
    public var updatedAt: Date
    public var firstRespondedAt: Date?
    public var resolvedAt: Date?
    public var closedAt: Date?
    /// Bumped by every stored change (optimistic concurrency).
    public var version: Int

    public init(
        id: TicketID = .generate(), number: Int64 = 0, type: String, state: TicketState = .new, priority: TicketPriority,
        group: String?, assignee: String?, customerID: CustomerID?, subject: String, fields: [String: String],
        conversationIDs: [ConversationID], createdBy: String, linkedTicket: TicketID? = nil, sla: TicketSLA, createdAt: Date
    ) {
        self.id = id
        self.number = number
        self.type = type
        self.state = state
        self.priority = priority
        self.group = group
        self.assignee = assignee
        self.customerID = customerID
        self.subject = subject
        self.fields = fields
        self.conversationIDs = conversationIDs
        self.createdBy = createdBy
        self.linkedTicket = linkedTicket
        self.sla = sla
        self.createdAt = createdAt
        self.updatedAt = createdAt
        self.firstRespondedAt = nil
        self.resolvedAt = nil
        self.closedAt = nil
        self.version = 0
    }

    /// Still work to do (new, open or pending).
    public var isActive: Bool { state == .new || state == .open || state == .pending }
}

/// Which SLA target a clock measures.
public enum SLAClockKind: String, Sendable, Hashable, Codable, CaseIterable {
    case firstResponse, resolution
}

/// A point on an SLA clock that fires once: the warning (at the policy's fraction of the
/// target) or the breach (the target used up).
public enum SLAMark: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case firstResponseWarning = "firstResponse.warning"
    case firstResponseBreach = "firstResponse.breach"
    case resolutionWarning = "resolution.warning"
    case resolutionBreach = "resolution.breach"

    public var clock: SLAClockKind {
        switch self {
        case .firstResponseWarning, .firstResponseBreach: .firstResponse
        case .resolutionWarning, .resolutionBreach: .resolution
        }
    }

    public var isBreach: Bool { self == .firstResponseBreach || self == .resolutionBreach }

    /// The webhook event it sends.
    public var event: String { isBreach ? "ticket.sla_breached" : "ticket.sla_warning" }

    public static func warning(_ clock: SLAClockKind) -> SLAMark {
        clock == .firstResponse ? .firstResponseWarning : .resolutionWarning
    }

    public static func breach(_ clock: SLAClockKind) -> SLAMark {
        clock == .firstResponse ? .firstResponseBreach : .resolutionBreach
    }

    public static func < (lhs: SLAMark, rhs: SLAMark) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// A ticket's SLA: the policy it follows, its two clocks, and which marks have fired.
///
/// The marks that fired are part of the ticket row, written in the same transaction as their
/// effects (history, escalation, webhook): that is what makes every warning and breach fire
/// exactly once, across restarts and downtimes.
public struct TicketSLA: Sendable, Hashable, Codable {
    /// The policy's name; `nil` when the ticket has no SLA.
    public var policy: String?
    /// The business-hours calendar the clocks count in; `nil` counts every hour.
    public var calendar: String?
    /// Fraction of a target at which the warning fires (default 0.8).
    public var warningFraction: Double
    public var firstResponse: SLAClock?
    public var resolution: SLAClock?
    /// Marks that have fired, in order.
    public var fired: [SLAMark]
    /// The customer's tier and VIP level when the ticket opened: what the policy's targets were
    /// chosen by, kept so a new priority picks its targets the same way.
    public var tier: String?
    public var vipLevel: Int?

    public init(
        policy: String? = nil, calendar: String? = nil, warningFraction: Double = 0.8, firstResponse: SLAClock? = nil,
        resolution: SLAClock? = nil, fired: [SLAMark] = []
    ) {
        self.policy = policy
        self.calendar = calendar
        self.warningFraction = warningFraction
        self.firstResponse = firstResponse
        self.resolution = resolution
        self.fired = fired
    }

    public static let none = TicketSLA()

    public func clock(_ kind: SLAClockKind) -> SLAClock? {
        kind == .firstResponse ? firstResponse : resolution
    }

    /// Sets (or with `nil`, drops) one clock.
    public mutating func set(_ kind: SLAClockKind, _ clock: SLAClock?) {
        switch kind {
        case .firstResponse: firstResponse = clock
        case .resolution: resolution = clock
        }
    }

    public mutating func update(_ kind: SLAClockKind, _ change: (inout SLAClock) -> Void) {
        switch kind {
        case .firstResponse:
            if var clock = firstResponse { change(&clock); firstResponse = clock }
        case .resolution:
            if var clock = resolution { change(&clock); resolution = clock }
        }
    }

    public var warned: Bool { fired.contains { !$0.isBreach } }
    public var breached: Bool { fired.contains { $0.isBreach } }
}

/// One line of a ticket's audit trail: what changed, who changed it, and when.
public struct TicketHistoryEntry: Sendable, Hashable, Codable {
    /// `created`, `state`, `priority`, `group`, `assignee`, `fields`, `subject`, `comment`,
    /// `conversation`, `sla.warning`, `sla.breached`, `sla.met`, `linked`.
    public var kind: String
    /// Who did it: an API token's name, `customer`, `sla`, or a generator rule's name.
    public var actor: String
    /// What changed, as `from`/`to` or other named values.
    public var changes: [String: String]
    public var note: String?
    public var at: Date

    public init(kind: String, actor: String, changes: [String: String] = [:], note: String? = nil, at: Date) {
        self.kind = kind
        self.actor = actor
        self.changes = changes
        self.note = note
        self.at = at
    }
}

/// A comment on a ticket: public ones are sent to the customer through the conversation's
/// channel (``messageID`` names that reply); internal notes stay with the ticket.
public struct TicketComment: Sendable, Hashable, Codable {
    public var id: String
    public var ticketID: TicketID
    public var author: String
    public var text: String
    public var isPublic: Bool
    public var messageID: MessageID?
    public var createdAt: Date

    public init(
        id: String = UUID().uuidString.lowercased(), ticketID: TicketID, author: String, text: String, isPublic: Bool,
        messageID: MessageID?, createdAt: Date
    ) {
        self.id = id
        self.ticketID = ticketID
        self.author = author
        self.text = text
        self.isPublic = isPublic
        self.messageID = messageID
        self.createdAt = createdAt
    }
}

/// A due point of an SLA clock, as the store's timer index holds it: the timer service asks for
/// the ones due before "now", so a tick never scans all tickets.
public struct SLATimer: Sendable, Hashable {
    public var ticketID: TicketID
    public var mark: SLAMark
    public var dueAt: Date

    public init(ticketID: TicketID, mark: SLAMark, dueAt: Date) {
        self.ticketID = ticketID
        self.mark = mark
        self.dueAt = dueAt
    }
}

/// An outbound webhook to send (SLA warnings and breaches), queued in the outbox with the
/// change that caused it and retried until the receiver accepts it.
public struct TicketWebhook: Sendable, Hashable {
    /// `ticket.sla_warning`, `ticket.sla_breached`.
    public var event: String
    /// The JSON body.
    public var body: String

    public init(event: String, body: String) {
        self.event = event
        self.body = body
    }
}
