import Foundation
import SwitchboardRouting

/// Business-time arithmetic over a ``BusinessHours`` definition (the same one routing uses):
/// which stretches of real time are open, how much business time lies between two instants, and
/// which instant is N business seconds after another.
///
/// SLA clocks count only open time: a 4-hour target set on Friday at 16:00 with 09:00-18:00
/// weekdays is due Monday at 11:00. Windows are wall-clock times in the calendar's zone, so a
/// daylight-saving change shortens or lengthens the real day but not the business day.
public struct BusinessCalendar: Sendable {
    public let hours: BusinessHours
    private let calendar: Calendar
    private let holidays: Set<String>
    /// Open intervals of each weekday as (start, end) minutes after midnight, merged and sorted.
    private let windows: [BusinessHours.Weekday: [(Int, Int)]]
    /// Open every minute of every day with no holidays: business time is real time, and the
    /// arithmetic needs no calendar work (the default for policies without a calendar, so the
    /// common case stays cheap when a million tickets have timers).
    private let alwaysOpen: Bool

    /// How far ``date(addingBusinessSeconds:to:)`` looks ahead before giving up (a calendar
    /// with no open time at all would otherwise never end).
    static let horizonDays = 3660

    public init(_ hours: BusinessHours) throws(CalendarError) {
        guard let zone = TimeZone(identifier: hours.timezone) else { throw CalendarError("unknown time zone \(hours.timezone)") }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        self.calendar = calendar
        self.hours = hours
        self.holidays = Set(hours.holidays)
        var windows: [BusinessHours.Weekday: [(Int, Int)]] = [:]
        for window in hours.weekly {
            guard let start = Self.minutes(window.start), let end = Self.minutes(window.end), end > start else {
                throw CalendarError("window \(window.start)-\(window.end) is not a time range")
            }
            for day in window.days { windows[day, default: []].append((start, end)) }
        }
        let merged = windows.mapValues(Self.merged)
        self.windows = merged
        self.alwaysOpen =
            hours.holidays.isEmpty
            && BusinessHours.Weekday.allCases.allSatisfy { day in merged[day].map { $0.count == 1 && $0[0] == (0, 24 * 60) } ?? false }
    }

    /// A calendar open all the time (the default when a policy names none).
    public static let always: BusinessCalendar = {
        let all = BusinessHours(timezone: "UTC", weekly: [.init(days: BusinessHours.Weekday.allCases, start: "00:00", end: "24:00")])
        guard let calendar = try? BusinessCalendar(all) else { preconditionFailure("the always-open calendar is valid") }
        return calendar
    }()

    /// The open intervals that overlap [from, to), clipped to it, in order.
    public func openIntervals(from: Date, to: Date) -> [DateInterval] {
        guard to > from else { return [] }
        if alwaysOpen { return [DateInterval(start: from, end: to)] }
        var result: [DateInterval] = []
        var day = calendar.startOfDay(for: from)
        while day < to {
            for interval in openIntervals(onDayStarting: day) {
                let start = max(interval.start, from)
                let end = min(interval.end, to)
                if end > start { result.append(DateInterval(start: start, end: end)) }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return result
    }

    /// Business seconds in [from, to).
    public func businessSeconds(from: Date, to: Date) -> TimeInterval {
        openIntervals(from: from, to: to).reduce(0) { $0 + $1.duration }
    }

    /// The instant `seconds` of business time after `start` (`start` itself for 0 when open, the
    /// next opening otherwise). `nil` only for a calendar with no open time within ten years.
    public func date(addingBusinessSeconds seconds: TimeInterval, to start: Date) -> Date? {
        var left = max(0, seconds)
        if alwaysOpen { return start.addingTimeInterval(left) }
        var day = calendar.startOfDay(for: start)
        for _ in 0..<Self.horizonDays {
            for interval in openIntervals(onDayStarting: day) where interval.end > start {
                let begin = max(interval.start, start)
                let available = interval.end.timeIntervalSince(begin)
                if left <= available { return begin.addingTimeInterval(left) }
                left -= available
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = next
        }
        return nil
    }

    /// Whether `date` is inside open time.
    public func isOpen(at date: Date) -> Bool {
        if alwaysOpen { return true }
        return openIntervals(onDayStarting: calendar.startOfDay(for: date)).contains { $0.start <= date && date < $0.end }
    }

    /// The day's open intervals in real time: wall-clock windows resolved in the zone, so a DST
    /// change inside a window makes it an hour shorter or longer, as the people working it see.
    private func openIntervals(onDayStarting day: Date) -> [DateInterval] {
        let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
        guard let year = parts.year, let month = parts.month, let dayOfMonth = parts.day, let weekday = parts.weekday else { return [] }
        if holidays.contains(String(format: "%04d-%02d-%02d", year, month, dayOfMonth)) { return [] }
        let ranges = windows[BusinessHours.Weekday.allCases[(weekday - 1) % 7]] ?? []
        return ranges.compactMap { start, end in
            guard let from = wallClock(year, month, dayOfMonth, minutes: start),
                let to = wallClock(year, month, dayOfMonth, minutes: end), to > from
            else { return nil }
            return DateInterval(start: from, end: to)
        }
    }

    /// The instant of `minutes` after midnight on that day in the zone (1440 = the next midnight).
    /// A wall-clock time that does not exist (skipped by DST) resolves to the first one after it.
    private func wallClock(_ year: Int, _ month: Int, _ day: Int, minutes: Int) -> Date? {
        var components = DateComponents(year: year, month: month, day: day, hour: minutes / 60 % 24, minute: minutes % 60)
        if minutes == 24 * 60 {
            guard let midnight = calendar.date(from: DateComponents(year: year, month: month, day: day)) else { return nil }
            return calendar.date(byAdding: .day, value: 1, to: midnight)
        }
        components.timeZone = calendar.timeZone
        return calendar.date(from: components)
    }

    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0...24).contains(hour), (0...59).contains(minute)
        else { return nil }
        let total = hour * 60 + minute
        return total <= 24 * 60 ? total : nil
    }

    private static func merged(_ ranges: [(Int, Int)]) -> [(Int, Int)] {
        var result: [(Int, Int)] = []
        for range in ranges.sorted(by: { $0.0 < $1.0 }) {
            if let last = result.last, range.0 <= last.1 {
                result[result.count - 1].1 = max(last.1, range.1)
            } else {
                result.append(range)
            }
        }
        return result
    }
}

/// Why a calendar could not be built.
public struct CalendarError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
