import Metrics
import Synchronization
import SwitchboardCore
import SwitchboardStore
import SwitchboardTickets

/// Ticket metrics for Prometheus: tickets opened (by the rule or `api`), SLA marks fired, and
/// the active backlog per group (refreshed by the SLA timer service).
final class TicketMetrics: Sendable {
    private let created: CounterFamily
    private let marks: CounterFamily
    private let factory: any MetricsFactory
    private let groupsSeen = Mutex<Set<String>>([])

    init(factory: any MetricsFactory) {
        self.factory = factory
        created = CounterFamily(label: "switchboard.tickets.created", dimensions: ["created_by"], factory: factory)
        marks = CounterFamily(label: "switchboard.tickets.sla", dimensions: ["mark"], factory: factory)
    }

    /// Counts what a batch of stored changes did.
    func record(_ changes: [TicketChange]) {
        for change in changes {
            if change.isNew { created.increment(change.ticket.createdBy) }
            for entry in change.history where entry.kind == "sla.warning" || entry.kind == "sla.breached" {
                marks.increment("\(entry.changes["clock"] ?? "")\(entry.kind == "sla.warning" ? ".warning" : ".breach")")
            }
        }
    }

    /// Sets the active-ticket gauge of every group (0 for groups that emptied).
    func recordBacklog(_ rows: [BacklogRow]) {
        var counts: [String: Int] = [:]
        for row in rows { counts[row.group ?? "", default: 0] += row.count }
        let groups = groupsSeen.withLock { seen -> Set<String> in
            seen.formUnion(counts.keys)
            return seen
        }
        for group in groups {
            Gauge(label: "switchboard.tickets.active", dimensions: [("group", group)], factory: factory).record(counts[group] ?? 0)
        }
    }
}
