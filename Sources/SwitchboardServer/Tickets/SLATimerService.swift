import Foundation
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardStore
import SwitchboardTickets

/// Fires SLA warnings and breaches when they fall due.
///
/// Each tick reads the timers due by now from the store's index on due time (never scanning
/// tickets), and fires each ticket's due marks through ``TicketService`` — the mark, its history
/// line, escalation and webhook are written with the ticket in one transaction, and the timer
/// row goes with them. After a restart or a downtime the timers that passed are simply due:
/// each fires once. Between ticks it sleeps until the next timer (at most the configured
/// interval), or until a ticket change may have set an earlier one.
public struct SLATimerService: Service {
    let service: TicketService
    let wakeup: Wakeup
    let interval: Duration
    let logger: Logger
    /// Timers read per tick.
    public var batchSize = 500

    /// A timer service that sleeps at most `interval` between looks at the due-timer index.
    public init(service: TicketService, interval: Duration = .seconds(1), logger: Logger) {
        self.init(service: service, wakeup: Wakeup(), interval: interval, logger: logger)
    }

    init(service: TicketService, wakeup: Wakeup, interval: Duration, logger: Logger) {
        self.service = service
        self.wakeup = wakeup
        self.interval = interval
        self.logger = logger
    }

    /// How often the active-ticket gauges are refreshed.
    var backlogInterval: Duration = .seconds(15)

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await retimeIfCalendarsChanged(now: Date())
                break
            } catch {
                logger.error("SLA timers could not be computed again; retrying in 1 s", metadata: ["sb.error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        let clock = ContinuousClock()
        var lastBacklog = clock.now - backlogInterval
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if clock.now - lastBacklog >= backlogInterval {
                // The gauges are a side job: their failure must never hold up the timers.
                do {
                    service.metrics.recordBacklog(try await service.store.ticketBacklog(now: Date(), bucketEdges: []))
                } catch {
                    logger.warning("active-ticket gauges not refreshed", metadata: ["sb.error": "\(error)"])
                }
                lastBacklog = clock.now
            }
            do {
                let fired = try await tick(now: Date())
                if fired >= batchSize { continue }
                await wakeup.wait(timeout: try await sleep())
            } catch {
                logger.error("SLA timers failed; retrying in 1 s", metadata: ["sb.error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Fires the marks due by `now` (one batch of due timers, written in one transaction);
    /// returns how many timers were due.
    @discardableResult
    public func tick(now: Date) async throws -> Int {
        let due = try await service.store.dueSLATimers(now: now, limit: batchSize)
        var seen: Set<TicketID> = []
        let ids = due.map(\.ticketID).filter { seen.insert($0).inserted }
        let marks = Dictionary(grouping: due, by: \.ticketID)
        for ticket in try await service.fireDue(ids, at: now) {
            let dueMarks = Set((marks[ticket.id] ?? []).map(\.mark))
            for mark in ticket.sla.fired where dueMarks.contains(mark) {
                logger.info(
                    mark.isBreach ? "SLA breached" : "SLA warning", metadata: ["sb.ticket": "\(ticket.number)", "sb.mark": "\(mark.rawValue)"])
            }
        }
        return due.count
    }

    private func sleep() async throws -> Duration {
        guard let next = try await service.store.nextSLATimer() else { return interval }
        let wait = next.timeIntervalSinceNow
        if wait <= 0 { return .milliseconds(1) }
        return min(interval, .milliseconds(Int64(wait * 1000) + 1))
    }
}
