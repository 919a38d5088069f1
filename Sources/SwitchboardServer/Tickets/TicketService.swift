import Foundation
import Logging
import Metrics
import Synchronization
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore
import SwitchboardTickets

/// Applies ticket operations: loads the ticket, lets the ``TicketDesk`` decide, picks an
/// assignee when a group assigns by load, and writes the change with its timers, history and
/// webhooks in one transaction. A write that lost a race with another change is retried on the
/// fresh ticket.
///
/// Shared by the API, the generator (fed by the outbox) and the SLA timer service.
public final class TicketService: Sendable {
    let store: any GatewayStore
    let routing: RoutingEngine
    private let desk: Mutex<TicketDesk>
    /// Told when a change may have set an earlier timer (the timer service recomputes its sleep).
    let timersChanged: @Sendable () -> Void
    /// Told when a webhook was queued.
    let webhooksQueued: @Sendable () -> Void
    let logger: Logger
    let metrics: TicketMetrics

    public init(
        store: any GatewayStore, routing: RoutingEngine, settings: TicketSettings, logger: Logger,
        metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance,
        timersChanged: @escaping @Sendable () -> Void = {}, webhooksQueued: @escaping @Sendable () -> Void = {}
    ) {
        self.metrics = TicketMetrics(factory: metricsFactory)
        self.store = store
        self.routing = routing
        self.desk = Mutex(TicketDesk(settings: settings))
        self.timersChanged = timersChanged
        self.webhooksQueued = webhooksQueued
        self.logger = logger
    }

    public var currentDesk: TicketDesk { desk.withLock { $0 } }

    /// Replaces types or rules (after an API change).
    func updateSettings(_ change: (inout TicketSettings) -> Void) {
        desk.withLock { desk in
            var settings = desk.settings
            change(&settings)
            desk = TicketDesk(settings: settings)
        }
    }

    /// Opens a ticket (API or generator) and writes it.
    public func open(_ draft: TicketDraft, actor: String, at now: Date = Date()) async throws -> Ticket {
        var change = try currentDesk.open(draft, actor: actor, at: now)
        try await completeAssignment(&change, actor: actor, at: now)
        let saved = try await store.saveTickets([write(change)], consumer: nil)
        notify([change])
        guard let ticket = saved.first else { throw StoreError.notFound("ticket") }
        return ticket
    }

    /// Applies `operation` to the current ticket and writes the result; retried (3 times) when
    /// another change got there first. Returns the ticket as stored.
    public func update(
        _ id: TicketID, actor: String, reply: AgentReply? = nil, _ operation: (TicketDesk, Ticket) throws -> TicketChange
    ) async throws -> Ticket {
        var attempt = 0
        while true {
            attempt += 1
            guard let ticket = try await store.ticket(id) else { throw StoreError.notFound("ticket \(id)") }
            let desk = currentDesk
            var change = try operation(desk, ticket)
            if change.isEmpty && reply == nil { return ticket }
            try await completeAssignment(&change, actor: actor, at: change.ticket.updatedAt)
            do {
                let saved = try await store.saveTickets([write(change, reply: reply)], consumer: nil)
                notify([change])
                return saved.first ?? change.ticket
            } catch let error as StoreError where error.isStale && attempt < 3 {
                continue
            }
        }
    }

    /// Fires the SLA marks due by `now` on many tickets, written in one transaction (one fsync for
    /// the batch instead of one per ticket). Tickets are written even when nothing fires, so a
    /// timer row that no longer matches its ticket (a calendar changed between runs) is replaced
    /// rather than found due again and again. When another change got to one of the tickets
    /// first, the batch is not written and each ticket is fired on its own instead.
    /// Returns the tickets as stored.
    public func fireDue(_ ids: [TicketID], at now: Date, actor: String = "sla") async throws -> [Ticket] {
        guard !ids.isEmpty else { return [] }
        return try await fireDue(tickets: try await store.tickets(ids: ids), at: now, actor: actor)
    }

    /// ``fireDue(_:at:actor:)`` for tickets already read (a caller paging through them).
    func fireDue(tickets: [Ticket], at now: Date, actor: String = "sla") async throws -> [Ticket] {
        guard !tickets.isEmpty else { return [] }
        let desk = currentDesk
        var changes = tickets.map { desk.fireDue($0, at: now) }
        var assigned: [String: Int] = [:]
        for index in changes.indices {
            guard let group = changes[index].needsAssignment else { continue }
            // Escalations in one batch spread over the group: each pick counts the ones before it.
            let agent = try await pickMember(of: group, extraLoad: assigned)
            if let agent { assigned[agent, default: 0] += 1 }
            desk.assign(&changes[index], to: agent, actor: actor, at: now)
        }
        do {
            let saved = try await store.saveTickets(changes.map { write($0) }, consumer: nil)
            notify(changes.filter { !$0.isEmpty })
            return saved
        } catch let error as StoreError where error.isStale {
            var saved: [Ticket] = []
            for change in changes {
                do {
                    saved.append(try await update(change.ticket.id, actor: actor) { desk, ticket in desk.fireDue(ticket, at: now) })
                } catch let error as StoreError where error.httpStatus == 404 {
                    continue
                }
            }
            return saved
        }
    }

    /// Picks an assignee when the change asks for one.
    func completeAssignment(_ change: inout TicketChange, actor: String, at now: Date) async throws {
        guard let group = change.needsAssignment else { return }
        let agent = try await pickMember(of: group)
        currentDesk.assign(&change, to: agent, actor: actor, at: now)
    }

    /// The online member of `group` with the fewest active tickets.
    func pickMember(of group: String, extraLoad: [String: Int] = [:]) async throws -> String? {
        guard let definition = await routing.group(GroupID(group)) else { return nil }
        let members = definition.members.map(\.rawValue)
        var available: Set<String> = []
        for member in definition.members {
            if let view = await routing.agent(member), view.presence == .online { available.insert(member.rawValue) }
        }
        guard !available.isEmpty else { return nil }
        var load = try await store.activeTicketLoad(Array(available))
        for (agent, extra) in extraLoad { load[agent, default: 0] += extra }
        return TicketAssigner.pick(members: members, available: available, load: load)
    }

    /// The store write of a change: its timers and current deadlines.
    func write(_ change: TicketChange, reply: AgentReply? = nil) -> TicketWrite {
        let desk = currentDesk
        return TicketWrite(
            change: change, timers: desk.timers(for: change.ticket), reply: reply,
            firstResponseDueAt: desk.deadline(.firstResponse, of: change.ticket),
            resolutionDueAt: desk.deadline(.resolution, of: change.ticket))
    }

    /// After a write: counts it, and wakes the timer service and the webhook worker.
    func notify(_ changes: [TicketChange]) {
        metrics.record(changes)
        timersChanged()
        if changes.contains(where: { !$0.webhooks.isEmpty }) { webhooksQueued() }
    }
}
