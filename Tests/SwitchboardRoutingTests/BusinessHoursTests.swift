import Foundation
import SwitchboardCore
import Testing

@testable import SwitchboardRouting

@Suite("Business hours")
struct BusinessHoursTests {
    static let weekdays: [BusinessHours.Weekday] = [.mon, .tue, .wed, .thu, .fri]

    static func utc(_ text: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        return try #require(formatter.date(from: text))
    }

    @Test("the same instant is open in Shanghai and closed in New York")
    func acrossZones() throws {
        let shanghai = BusinessHours(
            timezone: "Asia/Shanghai", weekly: [.init(days: Self.weekdays, start: "09:00", end: "18:00")])
        let newYork = BusinessHours(
            timezone: "America/New_York", weekly: [.init(days: Self.weekdays, start: "09:00", end: "18:00")])
        // Wednesday 2026-11-25 02:00 UTC = 10:00 in Shanghai, Tuesday 21:00 in New York.
        let instant = try Self.utc("2026-11-25T02:00:00Z")
        #expect(shanghai.isOpen(at: instant))
        #expect(!newYork.isOpen(at: instant))
        // 14:30 UTC = 09:30 in New York (EST), 22:30 in Shanghai.
        let later = try Self.utc("2026-11-25T14:30:00Z")
        #expect(newYork.isOpen(at: later))
        #expect(!shanghai.isOpen(at: later))
    }

    @Test("windows are half-open, weekends closed, 24:00 reaches midnight")
    func edges() throws {
        let hours = BusinessHours(
            timezone: "UTC",
            weekly: [.init(days: Self.weekdays, start: "09:00", end: "18:00"), .init(days: [.sat], start: "20:00", end: "24:00")])
        #expect(hours.isOpen(at: try Self.utc("2026-11-23T09:00:00Z")))
        #expect(!hours.isOpen(at: try Self.utc("2026-11-23T08:59:00Z")))
        #expect(!hours.isOpen(at: try Self.utc("2026-11-23T18:00:00Z")))
        #expect(!hours.isOpen(at: try Self.utc("2026-11-29T10:00:00Z")))  // Sunday
        #expect(hours.isOpen(at: try Self.utc("2026-11-28T23:59:00Z")))  // Saturday late
    }

    @Test("a holiday is closed all day in the zone's own calendar")
    func holiday() throws {
        let hours = BusinessHours(
            timezone: "Asia/Shanghai", weekly: [.init(days: BusinessHours.Weekday.allCases, start: "00:00", end: "24:00")],
            holidays: ["2026-10-01"])
        // 2026-09-30 17:00 UTC is already 01:00 on 1 October in Shanghai.
        #expect(!hours.isOpen(at: try Self.utc("2026-09-30T17:00:00Z")))
        #expect(hours.isOpen(at: try Self.utc("2026-09-30T15:00:00Z")))
        #expect(hours.isOpen(at: try Self.utc("2026-10-01T16:00:00Z")))  // 2 October 00:00 local
    }

    @Test("bad definitions are refused with the field path")
    func validation() {
        #expect(throws: ValidationError(field: "businessHours.timezone", reason: "is not a known IANA time zone (e.g. Asia/Shanghai)")) {
            try BusinessHours(timezone: "Mars/Olympus", weekly: []).validate()
        }
        #expect(throws: ValidationError(field: "businessHours.weekly[0].end", reason: "must be after start")) {
            try BusinessHours(timezone: "UTC", weekly: [.init(days: [.mon], start: "10:00", end: "09:00")]).validate()
        }
        #expect(throws: ValidationError(field: "businessHours.weekly[0].start", reason: "must be a time HH:MM from 00:00 to 23:59")) {
            try BusinessHours(timezone: "UTC", weekly: [.init(days: [.mon], start: "9:00", end: "18:00")]).validate()
        }
        #expect(throws: ValidationError(field: "businessHours.holidays[0]", reason: "must be a date YYYY-MM-DD")) {
            try BusinessHours(timezone: "UTC", weekly: [], holidays: ["1 Oct"]).validate()
        }
    }
}
