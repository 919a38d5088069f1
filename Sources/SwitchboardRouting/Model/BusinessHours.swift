import Foundation
import SwitchboardCore

/// When a group (or a rule's time condition) is open: weekly windows in one time zone, minus
/// holidays.
///
/// A centre in Shanghai serving from 09:00 to 18:00 on weekdays writes
/// `{"timezone": "Asia/Shanghai", "weekly": [{"days": ["mon","tue","wed","thu","fri"],
/// "start": "09:00", "end": "18:00"}], "holidays": ["2026-10-01"]}`. Times are wall-clock times
/// in that zone, so daylight-saving changes need no edits.
public struct BusinessHours: Sendable, Hashable, Codable {
    public var timezone: String
    public var weekly: [Window]
    /// Whole days (`YYYY-MM-DD`, in the zone) when the windows do not apply.
    public var holidays: [String]

    /// Open from `start` to `end` (`HH:MM`, `end` may be `24:00`) on each of `days`.
    public struct Window: Sendable, Hashable, Codable {
        public var days: [Weekday]
        public var start: String
        public var end: String

        public init(days: [Weekday], start: String, end: String) {
            self.days = days
            self.start = start
            self.end = end
        }
    }

    public enum Weekday: String, Sendable, Hashable, Codable, CaseIterable {
        case sun, mon, tue, wed, thu, fri, sat
    }

    public init(timezone: String, weekly: [Window], holidays: [String] = []) {
        self.timezone = timezone
        self.weekly = weekly
        self.holidays = holidays
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        timezone = try container.decode(String.self, forKey: .timezone)
        weekly = try container.decodeIfPresent([Window].self, forKey: .weekly) ?? []
        holidays = try container.decodeIfPresent([String].self, forKey: .holidays) ?? []
    }

    public func validate(field: String = "businessHours") throws(ValidationError) {
        guard TimeZone(identifier: timezone) != nil else {
            throw ValidationError(field: "\(field).timezone", reason: "is not a known IANA time zone (e.g. Asia/Shanghai)")
        }
        for (index, window) in weekly.enumerated() {
            let path = "\(field).weekly[\(index)]"
            guard !window.days.isEmpty else { throw ValidationError(field: "\(path).days", reason: "must name a day") }
            guard let start = Self.minutes(window.start), start < 24 * 60 else {
                throw ValidationError(field: "\(path).start", reason: "must be a time HH:MM from 00:00 to 23:59")
            }
            guard let end = Self.minutes(window.end) else {
                throw ValidationError(field: "\(path).end", reason: "must be a time HH:MM from 00:01 to 24:00")
            }
            guard end > start else { throw ValidationError(field: "\(path).end", reason: "must be after start") }
        }
        for (index, day) in holidays.enumerated() where Self.parseDay(day) == nil {
            throw ValidationError(field: "\(field).holidays[\(index)]", reason: "must be a date YYYY-MM-DD")
        }
    }

    /// Whether `date` falls inside a window on a day that is not a holiday.
    public func isOpen(at date: Date) -> Bool {
        guard let zone = TimeZone(identifier: timezone) else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
        guard let year = parts.year, let month = parts.month, let day = parts.day, let weekdayNumber = parts.weekday,
            let hour = parts.hour, let minute = parts.minute
        else { return false }
        let today = String(format: "%04d-%02d-%02d", year, month, day)
        if holidays.contains(today) { return false }
        let weekday = Weekday.allCases[(weekdayNumber - 1) % 7]
        let now = hour * 60 + minute
        return weekly.contains { window in
            guard window.days.contains(weekday), let start = Self.minutes(window.start),
                let end = Self.minutes(window.end)
            else { return false }
            return now >= start && now < end
        }
    }

    /// `HH:MM` as minutes after midnight (`24:00` is 1440).
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]),
            let minute = Int(parts[1]), (0...24).contains(hour), (0...59).contains(minute)
        else { return nil }
        let total = hour * 60 + minute
        return total <= 24 * 60 ? total : nil
    }

    static func parseDay(_ text: String) -> (Int, Int, Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        return (year, month, day)
    }
}
