import Foundation

/// One SLA target of a ticket (first response or resolution), counted in business time.
///
/// The clock runs while the ticket waits on us and pauses while it waits on the customer
/// (`pending`): what has run so far is kept in ``consumed``, and the deadline is always "the rest
/// of the target, in business time, from when the clock last started". Persisting these few
/// values is enough to know every deadline after a restart.
public struct SLAClock: Sendable, Hashable, Codable {
    /// The target, in business seconds.
    public var target: TimeInterval
    /// Business seconds counted before the current run (or in total, when paused).
    public var consumed: TimeInterval
    /// When the clock last started; `nil` while paused or stopped.
    public var runningSince: Date?
    /// When the target was met (the first response sent, the ticket resolved); the clock stops.
    public var metAt: Date?

    public init(target: TimeInterval, startedAt: Date) {
        self.target = target
        self.consumed = 0
        self.runningSince = startedAt
        self.metAt = nil
    }

    public var isRunning: Bool { runningSince != nil && metAt == nil }

    /// Business time counted up to `now`.
    public func elapsed(at now: Date, calendar: BusinessCalendar) -> TimeInterval {
        guard let since = runningSince, metAt == nil, now > since else { return consumed }
        return consumed + calendar.businessSeconds(from: since, to: now)
    }

    /// When the target runs out if the clock keeps running; `nil` while paused or once met.
    public func deadline(calendar: BusinessCalendar) -> Date? {
        due(after: target, calendar: calendar)
    }

    /// When `fraction` of the target (the warning point, 0.8 by default) is used up.
    public func warning(at fraction: Double = 0.8, calendar: BusinessCalendar) -> Date? {
        due(after: target * fraction, calendar: calendar)
    }

    public func isBreached(at now: Date, calendar: BusinessCalendar) -> Bool {
        guard metAt == nil else { return false }
        return elapsed(at: now, calendar: calendar) >= target
    }

    /// Stops counting (the ticket now waits on the customer).
    public mutating func pause(at now: Date, calendar: BusinessCalendar) {
        guard isRunning else { return }
        consumed = elapsed(at: now, calendar: calendar)
        runningSince = nil
    }

    /// Counts again from `now` (the customer answered).
    public mutating func resume(at now: Date) {
        guard runningSince == nil, metAt == nil else { return }
        runningSince = now
    }

    /// The target was met: the clock stops for good, with what it had counted.
    public mutating func meet(at now: Date, calendar: BusinessCalendar) {
        guard metAt == nil else { return }
        consumed = elapsed(at: now, calendar: calendar)
        runningSince = nil
        metAt = now
    }

    private func due(after amount: TimeInterval, calendar: BusinessCalendar) -> Date? {
        guard let since = runningSince, metAt == nil else { return nil }
        return calendar.date(addingBusinessSeconds: max(0, amount - consumed), to: since)
    }
}
