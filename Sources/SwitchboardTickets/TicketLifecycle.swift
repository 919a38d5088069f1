import Foundation

/// Where a ticket stands: `new → open → pending (waiting on the customer) → resolved → closed`.
public enum TicketState: String, Sendable, Hashable, Codable, CaseIterable {
    case new, open, pending, resolved, closed

    /// Whether SLA clocks run in this state (they pause while the customer owes us an answer).
    public var clocksRun: Bool { self == .new || self == .open }
}

/// A requested change of state.
public enum TicketTransition: String, Sendable, Hashable, Codable, CaseIterable {
    /// Someone works on it (also: the customer answered a pending ticket).
    case open
    /// Waiting on the customer.
    case wait
    case resolve
    case close
    /// A resolved ticket comes back (the customer replied within the reopen window).
    case reopen

    /// The state after this transition from `state`, or an error naming why it is not allowed.
    public func apply(to state: TicketState) throws(TicketTransitionError) -> TicketState {
        switch (self, state) {
        case (.open, .new), (.open, .pending): return .open
        case (.wait, .new), (.wait, .open): return .pending
        case (.resolve, .new), (.resolve, .open), (.resolve, .pending): return .resolved
        case (.close, .new), (.close, .open), (.close, .pending), (.close, .resolved): return .closed
        case (.reopen, .resolved): return .open
        default: throw TicketTransitionError(from: state, transition: self)
        }
    }
}

/// A transition that the lifecycle does not allow (answered `409` by the API).
public struct TicketTransitionError: Error, Sendable, Hashable, CustomStringConvertible {
    public let from: TicketState
    public let transition: TicketTransition

    public var description: String {
        switch (transition, from) {
        case (.reopen, .closed): "a closed ticket is not reopened; a new ticket linked to it is opened instead"
        case (_, .closed): "the ticket is closed"
        default: "cannot \(transition.rawValue) a ticket that is \(from.rawValue)"
        }
    }
}

/// What a customer's reply does to a ticket that is resolved or closed.
public enum ReplyEffect: Sendable, Hashable {
    /// Within the window after resolution: the ticket comes back.
    case reopen
    /// Later, or once closed: a new ticket, linked to this one.
    case newLinkedTicket
    /// The ticket is still active: the reply just joins it.
    case joins

    /// The effect of a reply at `replyAt` on a ticket in `state`, resolved at `resolvedAt`,
    /// with the reopen `window` (default 7 days).
    public static func of(
        replyAt: Date, state: TicketState, resolvedAt: Date?, window: TimeInterval = 7 * 24 * 3600
    ) -> ReplyEffect {
        switch state {
        case .new, .open, .pending: return .joins
        case .closed: return .newLinkedTicket
        case .resolved:
            guard let resolvedAt else { return .newLinkedTicket }
            return replyAt.timeIntervalSince(resolvedAt) <= window ? .reopen : .newLinkedTicket
        }
    }
}
