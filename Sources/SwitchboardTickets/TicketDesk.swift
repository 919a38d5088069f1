import Foundation
import SwitchboardCore

/// The outcome of one operation on a ticket: the ticket as it now is, the audit lines, the
/// webhooks to queue and the SLA timers it now waits on — written by the store in one
/// transaction, so a change and its effects are never separated by a crash.
public struct TicketChange: Sendable {
    public var ticket: Ticket
    /// The version the store must still hold (`nil`: a new ticket).
    public var expectedVersion: Int?
    public var history: [TicketHistoryEntry]
    public var webhooks: [TicketWebhook]
    public var comment: TicketComment?
    /// Set when the ticket moved to a group without an assignee and the group assigns by load:
    /// the caller picks a member (it knows presence and load) and calls ``TicketDesk/assign(_:to:actor:at:)``.
    public var needsAssignment: String?

    public init(ticket: Ticket, expectedVersion: Int?, history: [TicketHistoryEntry] = [], webhooks: [TicketWebhook] = []) {
        self.ticket = ticket
        self.expectedVersion = expectedVersion
        self.history = history
        self.webhooks = webhooks
        self.comment = nil
        self.needsAssignment = nil
    }

    public var isNew: Bool { expectedVersion == nil }
    /// Whether anything changed (a no-op change is not written).
    public var isEmpty: Bool { !isNew && history.isEmpty && webhooks.isEmpty && comment == nil }
}

/// What a ticket is opened with.
public struct TicketDraft: Sendable {
    public var type: String
    public var priority: TicketPriority?
    public var group: String?
    public var assignee: String?
    public var subject: String?
    public var fields: [String: TicketType.FieldValue]
    public var customerID: CustomerID?
    public var customerAttributes: [String: String]
    public var vipLevel: Int
    public var conversationIDs: [ConversationID]
    public var createdBy: String
    public var linkedTicket: TicketID?
    public var note: String?

    public init(
        type: String, priority: TicketPriority? = nil, group: String? = nil, assignee: String? = nil, subject: String? = nil,
        fields: [String: TicketType.FieldValue] = [:], customerID: CustomerID? = nil, customerAttributes: [String: String] = [:],
        vipLevel: Int = 0, conversationIDs: [ConversationID] = [], createdBy: String, linkedTicket: TicketID? = nil,
        note: String? = nil
    ) {
        self.type = type
        self.priority = priority
        self.group = group
        self.assignee = assignee
        self.subject = subject
        self.fields = fields
        self.customerID = customerID
        self.customerAttributes = customerAttributes
        self.vipLevel = vipLevel
        self.conversationIDs = conversationIDs
        self.createdBy = createdBy
        self.linkedTicket = linkedTicket
        self.note = note
    }
}

/// An edit through the API (`PATCH /tickets/{id}`); absent values stay as they are.
public struct TicketEdit: Sendable {
    public var priority: TicketPriority?
    public var subject: String?
    public var fields: [String: TicketType.FieldValue]?

    public init(priority: TicketPriority? = nil, subject: String? = nil, fields: [String: TicketType.FieldValue]? = nil) {
        self.priority = priority
        self.subject = subject
        self.fields = fields
    }
}

/// The ticket rules as pure functions: open, edit, move through the lifecycle, comment, react to
/// replies, and fire SLA marks. No I/O: callers load the ticket, call the desk, and hand the
/// ``TicketChange`` to the store; every operation first fires the SLA marks already due, so a
/// breach is never skipped because something else happened first.
public struct TicketDesk: Sendable {
    public let settings: TicketSettings

    public init(settings: TicketSettings) {
        self.settings = settings
    }

    // MARK: Opening

    /// A new ticket from a draft, with its fields checked against the type's template, its
    /// defaults applied and its SLA clocks started. Errors name the field (`fields.orderNumber`).
    public func open(_ draft: TicketDraft, actor: String, at now: Date) throws(ValidationError) -> TicketChange {
        guard let type = settings.types[draft.type] else {
            throw ValidationError(field: "type", reason: "names no ticket type '\(draft.type)'")
        }
        let fields = try type.fieldValues(draft.fields, customerAttributes: draft.customerAttributes)
        let subject = (draft.subject ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard subject.utf8.count <= 1000 else { throw ValidationError(field: "subject", reason: "must be at most 1,000 bytes") }
        let priority = draft.priority ?? type.defaultPriority
        let group = draft.group ?? type.defaultGroup
        var sla = TicketSLA.none
        if let policy = settings.policy(for: type) {
            let target = policy.target(priority: priority, tier: draft.customerAttributes["tier"], vipLevel: draft.vipLevel)
            sla = TicketSLA(
                policy: policy.name, calendar: policy.calendar, warningFraction: Double(policy.warningPercent) / 100,
                firstResponse: target?.firstResponseMinutes.map { SLAClock(target: TimeInterval($0 * 60), startedAt: now) },
                resolution: target?.resolutionMinutes.map { SLAClock(target: TimeInterval($0 * 60), startedAt: now) })
            sla.tier = draft.customerAttributes["tier"]
            sla.vipLevel = draft.vipLevel
        }
        let ticket = Ticket(
            type: type.name, priority: priority, group: group, assignee: draft.assignee, customerID: draft.customerID,
            subject: subject.isEmpty ? type.name : subject, fields: fields, conversationIDs: draft.conversationIDs,
            createdBy: draft.createdBy, linkedTicket: draft.linkedTicket, sla: sla, createdAt: now)
        var changes = ["type": type.name, "priority": priority.rawValue, "createdBy": draft.createdBy]
        changes["group"] = group
        changes["assignee"] = draft.assignee
        changes["linkedTicket"] = draft.linkedTicket?.rawValue
        var change = TicketChange(
            ticket: ticket, expectedVersion: nil,
            history: [TicketHistoryEntry(kind: "created", actor: actor, changes: changes, note: draft.note, at: now)])
        if draft.assignee == nil, let group, settings.groups[group]?.assignment ?? .load == .load {
            change.needsAssignment = group
        }
        return change
    }

    // MARK: Changes

    /// Starts a change of `ticket`: the SLA marks due by `now` fire first.
    public func begin(_ ticket: Ticket, at now: Date) -> TicketChange {
        var change = TicketChange(ticket: ticket, expectedVersion: ticket.version)
        fireDue(&change, at: now)
        return change
    }

    /// Only fires the SLA marks due by `now` (what the timer service does).
    public func fireDue(_ ticket: Ticket, at now: Date) -> TicketChange {
        begin(ticket, at: now)
    }

    public func edit(_ ticket: Ticket, _ edit: TicketEdit, actor: String, at now: Date) throws(ValidationError) -> TicketChange {
        var change = begin(ticket, at: now)
        if let priority = edit.priority, priority != change.ticket.priority {
            record(&change, "priority", actor: actor, from: change.ticket.priority.rawValue, to: priority.rawValue, at: now)
            change.ticket.priority = priority
            retarget(&change, at: now)
        }
        if let subject = edit.subject?.trimmingCharacters(in: .whitespacesAndNewlines), subject != change.ticket.subject {
            guard !subject.isEmpty, subject.utf8.count <= 1000 else {
                throw ValidationError(field: "subject", reason: "must be 1 to 1,000 bytes")
            }
            record(&change, "subject", actor: actor, from: change.ticket.subject, to: subject, at: now)
            change.ticket.subject = subject
        }
        if let given = edit.fields {
            guard let type = settings.types[change.ticket.type] else {
                throw ValidationError(field: "fields", reason: "the ticket's type '\(change.ticket.type)' no longer exists")
            }
            // Given values replace the stored ones; the template is checked on the merged set.
            var merged: [String: TicketType.FieldValue] = [:]
            for field in type.fields where field.kind != .customerAttribute {
                if let value = given[field.name] ?? change.ticket.fields[field.name].map(TicketType.FieldValue.stored(field.kind)) {
                    merged[field.name] = value
                }
            }
            for (name, value) in given where merged[name] == nil { merged[name] = value }
            var attributes: [String: String] = [:]
            for field in type.fields where field.kind == .customerAttribute {
                if let value = change.ticket.fields[field.name], let attribute = field.attribute { attributes[attribute] = value }
            }
            let fields = try type.fieldValues(merged, customerAttributes: attributes)
            if fields != change.ticket.fields {
                let names = Set(fields.keys).union(change.ticket.fields.keys).filter { fields[$0] != change.ticket.fields[$0] }
                change.history.append(
                    TicketHistoryEntry(
                        kind: "fields", actor: actor, changes: Dictionary(uniqueKeysWithValues: names.map { ($0, fields[$0] ?? "") }),
                        at: now))
                change.ticket.fields = fields
            }
        }
        touch(&change, at: now)
        return change
    }

    /// Moves the ticket through its lifecycle; SLA clocks pause while pending and stop when
    /// resolved or closed.
    public func transition(_ ticket: Ticket, _ transition: TicketTransition, actor: String, note: String?, at now: Date) throws(
        TicketTransitionError
    ) -> TicketChange {
        var change = begin(ticket, at: now)
        try apply(transition, to: &change, actor: actor, note: note, at: now)
        touch(&change, at: now)
        return change
    }

    /// Assigns the ticket to an agent (or unassigns with `nil`), optionally in another group.
    public func assign(_ ticket: Ticket, to agent: String?, group: String?, actor: String, note: String?, at now: Date) -> TicketChange {
        var change = begin(ticket, at: now)
        if let group, group != change.ticket.group {
            record(&change, "group", actor: actor, from: change.ticket.group ?? "", to: group, note: note, at: now)
            change.ticket.group = group
            if agent == nil {
                if change.ticket.assignee != nil {
                    record(&change, "assignee", actor: actor, from: change.ticket.assignee ?? "", to: "", at: now)
                    change.ticket.assignee = nil
                }
                if settings.groups[group]?.assignment ?? .load == .load { change.needsAssignment = group }
            }
        }
        if let agent, agent != change.ticket.assignee {
            record(&change, "assignee", actor: actor, from: change.ticket.assignee ?? "", to: agent, note: group == nil ? note : nil, at: now)
            change.ticket.assignee = agent
        }
        touch(&change, at: now)
        return change
    }

    /// Completes a change that needed an assignee picked in its group (`nil`: nobody available —
    /// the ticket waits in the group).
    public func assign(_ change: inout TicketChange, to agent: String?, actor: String, at now: Date) {
        change.needsAssignment = nil
        guard let agent, agent != change.ticket.assignee else { return }
        if change.isNew {
            change.history[0].changes["assignee"] = agent
        } else {
            record(&change, "assignee", actor: actor, from: change.ticket.assignee ?? "", to: agent, at: now)
        }
        change.ticket.assignee = agent
    }

    /// A comment: public ones from an agent count as the first response and take a new ticket to
    /// `open`.
    public func comment(_ ticket: Ticket, _ comment: TicketComment, at now: Date) -> TicketChange {
        var change = begin(ticket, at: now)
        change.comment = comment
        change.history.append(
            TicketHistoryEntry(
                kind: "comment", actor: comment.author, changes: ["visibility": comment.isPublic ? "public" : "internal"], at: now))
        if comment.isPublic { responded(&change, actor: comment.author, at: now) }
        touch(&change, at: now)
        return change
    }

    /// An agent replied in one of the ticket's conversations.
    public func agentReplied(_ ticket: Ticket, actor: String, at now: Date) -> TicketChange {
        var change = begin(ticket, at: now)
        responded(&change, actor: actor, at: now)
        touch(&change, at: now)
        return change
    }

    /// What a customer's reply does: joins an active ticket (a pending one opens again and its
    /// clocks resume), reopens a resolved one within the window, or — later, or once closed —
    /// calls for a new ticket linked to this one (`nil` is returned then).
    public func customerReplied(_ ticket: Ticket, at now: Date) -> TicketChange? {
        let effect = ReplyEffect.of(replyAt: now, state: ticket.state, resolvedAt: ticket.resolvedAt, window: settings.reopenWindow)
        if effect == .newLinkedTicket { return nil }
        var change = begin(ticket, at: now)
        switch effect {
        case .joins where change.ticket.state == .pending:
            try? apply(.open, to: &change, actor: "customer", note: "the customer replied", at: now)
        case .reopen:
            try? apply(.reopen, to: &change, actor: "customer", note: "the customer replied within the reopen window", at: now)
        default:
            break
        }
        touch(&change, at: now)
        return change
    }

    /// Links another conversation to the ticket.
    public func link(_ ticket: Ticket, conversation: ConversationID, actor: String, at now: Date) -> TicketChange {
        var change = begin(ticket, at: now)
        if !change.ticket.conversationIDs.contains(conversation) {
            change.ticket.conversationIDs.append(conversation)
            change.history.append(
                TicketHistoryEntry(kind: "conversation", actor: actor, changes: ["linked": conversation.rawValue], at: now))
        }
        touch(&change, at: now)
        return change
    }

    // MARK: SLA

    /// The timers the ticket waits on: warning and breach of each running clock that have not
    /// fired. A paused or stopped clock has none (it gets them back when it runs again).
    public func timers(for ticket: Ticket) -> [SLATimer] {
        let calendar = settings.calendar(named: ticket.sla.calendar)
        var timers: [SLATimer] = []
        for kind in SLAClockKind.allCases {
            guard let clock = ticket.sla.clock(kind), clock.isRunning else { continue }
            let warning = SLAMark.warning(kind)
            let breach = SLAMark.breach(kind)
            if !ticket.sla.fired.contains(warning), !ticket.sla.fired.contains(breach),
                let due = clock.warning(at: ticket.sla.warningFraction, calendar: calendar)
            {
                timers.append(SLATimer(ticketID: ticket.id, mark: warning, dueAt: due))
            }
            if !ticket.sla.fired.contains(breach), let due = clock.deadline(calendar: calendar) {
                timers.append(SLATimer(ticketID: ticket.id, mark: breach, dueAt: due))
            }
        }
        return timers
    }

    /// When each target is due (for the API's `firstResponseDueAt` / `resolutionDueAt`).
    public func deadline(_ kind: SLAClockKind, of ticket: Ticket) -> Date? {
        ticket.sla.clock(kind)?.deadline(calendar: settings.calendar(named: ticket.sla.calendar))
    }

    /// Fires every mark due by `now`, oldest first: history, webhook, and on a breach the
    /// policy's escalation (raise the priority; move to the escalation group or the lead).
    func fireDue(_ change: inout TicketChange, at now: Date) {
        let due = timers(for: change.ticket).filter { $0.dueAt <= now }.sorted { ($0.dueAt, $0.mark) < ($1.dueAt, $1.mark) }
        for timer in due {
            // A breach fired in this loop makes the same clock's warning moot.
            if change.ticket.sla.fired.contains(timer.mark) { continue }
            change.ticket.sla.fired.append(timer.mark)
            let clock = timer.mark.clock.rawValue
            let dueAt = Self.timestamp(timer.dueAt)
            if timer.mark.isBreach {
                change.history.append(
                    TicketHistoryEntry(kind: "sla.breached", actor: "sla", changes: ["clock": clock, "dueAt": dueAt], at: now))
                escalate(&change, at: now)
            } else {
                change.history.append(
                    TicketHistoryEntry(kind: "sla.warning", actor: "sla", changes: ["clock": clock, "dueAt": dueAt], at: now))
            }
            if settings.webhook {
                change.webhooks.append(TicketWebhook(event: timer.mark.event, body: webhookBody(change.ticket, timer: timer, at: now)))
            }
        }
        if !due.isEmpty { change.ticket.updatedAt = max(change.ticket.updatedAt, now) }
    }

    /// Gives the clocks still counting the targets of the ticket's new priority (an agent changed
    /// it; escalation's own raise keeps the targets). The time already counted stays: a stricter
    /// target may be due at once and fires on the next look, a looser one moves the deadlines
    /// out. A clock that met its target or breached is history and stays as it is; a clock the
    /// new priority has no target for is dropped, and one it adds starts now.
    private func retarget(_ change: inout TicketChange, at now: Date) {
        // A resolved or closed ticket's clocks have stopped; its priority is only a label now.
        guard change.ticket.isActive, let policy = change.ticket.sla.policy.flatMap({ settings.policies[$0] }) else { return }
        let sla = change.ticket.sla
        let target = policy.target(priority: change.ticket.priority, tier: sla.tier, vipLevel: sla.vipLevel ?? 0)
        let running = change.ticket.state != .pending
        for kind in SLAClockKind.allCases {
            let minutes = kind == .firstResponse ? target?.firstResponseMinutes : target?.resolutionMinutes
            if var clock = sla.clock(kind) {
                guard clock.metAt == nil, !sla.fired.contains(.breach(kind)) else { continue }
                if let minutes {
                    clock.target = TimeInterval(minutes * 60)
                    change.ticket.sla.set(kind, clock)
                } else {
                    change.ticket.sla.set(kind, nil)
                }
            } else if let minutes, kind == .resolution || change.ticket.firstRespondedAt == nil {
                var clock = SLAClock(target: TimeInterval(minutes * 60), startedAt: now)
                if !running { clock.runningSince = nil }
                change.ticket.sla.set(kind, clock)
            }
        }
    }

    private func escalate(_ change: inout TicketChange, at now: Date) {
        guard let policy = change.ticket.sla.policy.flatMap({ settings.policies[$0] }) else { return }
        if policy.escalation.raisePriority, change.ticket.priority.raised != change.ticket.priority {
            record(&change, "priority", actor: "sla", from: change.ticket.priority.rawValue, to: change.ticket.priority.raised.rawValue, at: now)
            change.ticket.priority = change.ticket.priority.raised
        }
        guard policy.escalation.reassign, let group = change.ticket.group, let settings = settings.groups[group] else { return }
        if let escalationGroup = settings.escalationGroup, escalationGroup != group {
            record(&change, "group", actor: "sla", from: group, to: escalationGroup, note: "SLA breached", at: now)
            change.ticket.group = escalationGroup
            if change.ticket.assignee != nil {
                record(&change, "assignee", actor: "sla", from: change.ticket.assignee ?? "", to: "", at: now)
                change.ticket.assignee = nil
            }
            if self.settings.groups[escalationGroup]?.assignment ?? .load == .load { change.needsAssignment = escalationGroup }
        } else if let lead = settings.lead, lead != change.ticket.assignee {
            record(&change, "assignee", actor: "sla", from: change.ticket.assignee ?? "", to: lead, note: "SLA breached", at: now)
            change.ticket.assignee = lead
        }
    }

    private func webhookBody(_ ticket: Ticket, timer: SLATimer, at now: Date) -> String {
        struct Body: Encodable {
            var event: String
            var id: String
            var occurredAt: String
            var ticket: TicketRef
            var clock: String
            var dueAt: String
        }
        struct TicketRef: Encodable {
            var id: String
            var number: Int64
            var type: String
            var state: String
            var priority: String
            var group: String?
            var assignee: String?
            var subject: String
        }
        let body = Body(
            event: timer.mark.event, id: "\(ticket.id.rawValue):\(timer.mark.rawValue)", occurredAt: Self.timestamp(now),
            ticket: TicketRef(
                id: ticket.id.rawValue, number: ticket.number, type: ticket.type, state: ticket.state.rawValue,
                priority: ticket.priority.rawValue, group: ticket.group, assignee: ticket.assignee, subject: ticket.subject),
            clock: timer.mark.clock.rawValue, dueAt: Self.timestamp(timer.dueAt))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(body)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    // MARK: Helpers

    private func apply(_ transition: TicketTransition, to change: inout TicketChange, actor: String, note: String?, at now: Date) throws(
        TicketTransitionError
    ) {
        let from = change.ticket.state
        let to = try transition.apply(to: from)
        let calendar = settings.calendar(named: change.ticket.sla.calendar)
        change.ticket.state = to
        switch to {
        case .pending:
            for kind in SLAClockKind.allCases { change.ticket.sla.update(kind) { $0.pause(at: now, calendar: calendar) } }
        case .open where from == .pending:
            for kind in SLAClockKind.allCases { change.ticket.sla.update(kind) { $0.resume(at: now) } }
        case .open where from == .resolved:
            change.ticket.resolvedAt = nil
            change.ticket.sla.update(.resolution) { $0.restart(at: now) }
        case .resolved:
            change.ticket.resolvedAt = now
            for kind in SLAClockKind.allCases { change.ticket.sla.update(kind) { $0.meet(at: now, calendar: calendar) } }
        case .closed:
            change.ticket.closedAt = now
            if from != .resolved { change.ticket.resolvedAt = change.ticket.resolvedAt ?? now }
            for kind in SLAClockKind.allCases { change.ticket.sla.update(kind) { $0.meet(at: now, calendar: calendar) } }
        default:
            break
        }
        record(&change, "state", actor: actor, from: from.rawValue, to: to.rawValue, note: note, at: now)
    }

    private func responded(_ change: inout TicketChange, actor: String, at now: Date) {
        if change.ticket.firstRespondedAt == nil {
            change.ticket.firstRespondedAt = now
            if let clock = change.ticket.sla.firstResponse, clock.metAt == nil {
                let calendar = settings.calendar(named: change.ticket.sla.calendar)
                change.ticket.sla.update(.firstResponse) { $0.meet(at: now, calendar: calendar) }
                change.history.append(TicketHistoryEntry(kind: "sla.met", actor: actor, changes: ["clock": "firstResponse"], at: now))
            }
        }
        if change.ticket.state == .new { try? apply(.open, to: &change, actor: actor, note: nil, at: now) }
    }

    private func record(
        _ change: inout TicketChange, _ kind: String, actor: String, from: String, to: String, note: String? = nil, at now: Date
    ) {
        change.history.append(TicketHistoryEntry(kind: kind, actor: actor, changes: ["from": from, "to": to], note: note, at: now))
    }

    private func touch(_ change: inout TicketChange, at now: Date) {
        if !change.history.isEmpty || change.comment != nil { change.ticket.updatedAt = max(change.ticket.updatedAt, now) }
    }

    static func timestamp(_ date: Date) -> String {
        ISO8601.format(date)
    }
}

extension SLAClock {
    /// Counts again after the target was met (the ticket was reopened): what ran before counts.
    public mutating func restart(at now: Date) {
        metAt = nil
        runningSince = now
    }
}

extension TicketType.FieldValue {
    /// A stored (text) value read back as the kind its field expects.
    static func stored(_ kind: TicketType.FieldDefinition.Kind) -> (String) -> TicketType.FieldValue {
        { text in
            if kind == .number, let number = Double(text) { return .number(number) }
            return .text(text)
        }
    }
}
