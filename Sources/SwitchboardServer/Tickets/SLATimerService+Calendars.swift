import Crypto
import Foundation
import SwitchboardRouting
import SwitchboardStore
import SwitchboardTickets

/// Timer rows are computed from the business calendars when a ticket is written. An operator
/// who edits `tickets.calendars` (or a routing group's hours) between runs changes deadlines
/// that are already stored; without this, a deadline the new calendar moves earlier would wait
/// for the old, later time. So at start the timer service compares the calendars with the ones
/// the stored timers were computed with and, when they differ, writes every active ticket again
/// (firing what the new calendar makes due) before its first tick.
extension SLATimerService {
    /// The name under which the calendars' fingerprint is kept with the consumers' positions.
    static let calendarsKey = "tickets.sla-calendars"

    /// A stable fingerprint of the calendars (SHA-256 of their sorted JSON, first 8 bytes).
    static func fingerprint(_ calendars: [String: BusinessCalendar]) -> Int64 {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(calendars.mapValues(\.hours))) ?? Data()
        let digest = Array(SHA256.hash(data: data))
        let value = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        // 0 is what an unknown position reads as: keep it for "never computed".
        return value == 0 ? 1 : Int64(bitPattern: value)
    }

    /// Recomputes every active ticket's timers when the calendars changed since the last time;
    /// returns how many tickets were written again (0 when nothing changed).
    @discardableResult
    func retimeIfCalendarsChanged(now: Date) async throws -> Int {
        let store = service.store
        let fingerprint = Self.fingerprint(service.currentDesk.settings.calendars)
        let stored = try await store.consumerPosition(Self.calendarsKey)
        guard stored != fingerprint else { return 0 }
        var written = 0
        var cursor: Int64?
        repeat {
            let page = try await store.tickets(TicketQuery(states: [.new, .open, .pending], limit: batchSize, before: cursor))
            written += try await service.fireDue(tickets: page.items.filter { $0.sla.policy != nil }, at: now).count
            cursor = page.nextCursor
        } while cursor != nil
        try await store.saveTickets([], consumer: ConsumerPosition(consumer: Self.calendarsKey, position: fingerprint))
        if stored != 0 || written > 0 {
            logger.notice("business calendars changed: SLA timers computed again", metadata: ["sb.tickets": "\(written)"])
        }
        return written
    }
}
