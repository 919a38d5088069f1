import Foundation
import SwitchboardRouting
import Testing

@testable import SwitchboardTickets

/// Business-time arithmetic: weekends, holidays, daylight-saving changes, pauses.
@Suite("Business calendar and SLA clocks")
struct BusinessCalendarTests {
    /// 09:00-18:00 on weekdays in `zone`, with `holidays`.
    func weekdays(_ zone: String, holidays: [String] = []) throws -> BusinessCalendar {
        try BusinessCalendar(
            BusinessHours(timezone: zone, weekly: [.init(days: [.mon, .tue, .wed, .thu, .fri], start: "09:00", end: "18:00")], holidays: holidays))
    }

    /// An instant given as wall-clock time in `zone`.
    func at(_ text: String, _ zone: String) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone)
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.date(from: text) ?? Date.distantPast
    }

    @Test("a target crossing the weekend: Friday 16:00 + 4 business hours = Monday 11:00")
    func weekend() throws {
        let calendar = try weekdays("Asia/Shanghai")
        let friday = at("2026-11-20 16:00", "Asia/Shanghai")
        #expect(calendar.date(addingBusinessSeconds: 4 * 3600, to: friday) == at("2026-11-23 11:00", "Asia/Shanghai"))
        #expect(calendar.businessSeconds(from: friday, to: at("2026-11-23 11:00", "Asia/Shanghai")) == 4 * 3600)
        // Started outside hours: the clock starts at the next opening.
        let saturday = at("2026-11-21 10:00", "Asia/Shanghai")
        #expect(calendar.date(addingBusinessSeconds: 3600, to: saturday) == at("2026-11-23 10:00", "Asia/Shanghai"))
        #expect(!calendar.isOpen(at: saturday) && calendar.isOpen(at: friday))
    }

    @Test("a holiday is skipped like a weekend day")
    func holiday() throws {
        let calendar = try weekdays("Asia/Shanghai", holidays: ["2026-10-01", "2026-10-02"])
        let wednesday = at("2026-09-30 17:00", "Asia/Shanghai")
        // 1 h left on Wednesday, Thursday and Friday are holidays, then the weekend: Monday 10:00.
        #expect(calendar.date(addingBusinessSeconds: 2 * 3600, to: wednesday) == at("2026-10-05 10:00", "Asia/Shanghai"))
    }

    @Test("across a daylight-saving change the business day keeps its wall-clock hours")
    func daylightSaving() throws {
        // Europe/Berlin springs forward on Sunday 2026-03-29 and falls back on Sunday 2026-10-25.
        let open24 = try BusinessCalendar(
            BusinessHours(timezone: "Europe/Berlin", weekly: [.init(days: BusinessHours.Weekday.allCases, start: "00:00", end: "24:00")]))
        let saturdayNoon = at("2026-03-28 12:00", "Europe/Berlin")
        let sundayNoon = at("2026-03-29 12:00", "Europe/Berlin")
        #expect(sundayNoon.timeIntervalSince(saturdayNoon) == 23 * 3600, "the real day is 23 hours")
        #expect(open24.businessSeconds(from: saturdayNoon, to: sundayNoon) == 23 * 3600, "an always-open calendar counts real time")
        let weekdaysBerlin = try weekdays("Europe/Berlin")
        let friday = at("2026-10-23 17:00", "Europe/Berlin")
        // Over the fall-back weekend: Friday's last hour, then Monday 09:00-10:00, in wall-clock terms.
        #expect(weekdaysBerlin.date(addingBusinessSeconds: 2 * 3600, to: friday) == at("2026-10-26 10:00", "Europe/Berlin"))
        // A window that contains the change: 00:00-24:00 on the spring-forward Sunday holds 23 hours.
        let sunday = at("2026-03-29 00:00", "Europe/Berlin")
        #expect(open24.date(addingBusinessSeconds: 23 * 3600, to: sunday) == at("2026-03-30 00:00", "Europe/Berlin"))
        // Always open takes a shortcut (real time); a far-off holiday forces the day-by-day walk,
        // which must agree across both changes.
        let walked = try BusinessCalendar(
            BusinessHours(
                timezone: "Europe/Berlin", weekly: [.init(days: BusinessHours.Weekday.allCases, start: "00:00", end: "24:00")],
                holidays: ["2099-01-01"]))
        for start in [saturdayNoon, sunday, at("2026-10-24 22:30", "Europe/Berlin")] {
            for hours in [1.0, 23, 24, 25, 49.5] {
                let shortcut = open24.date(addingBusinessSeconds: hours * 3600, to: start)
                #expect(shortcut == start.addingTimeInterval(hours * 3600))
                #expect(walked.date(addingBusinessSeconds: hours * 3600, to: start) == shortcut, "from \(start) + \(hours) h")
                #expect(walked.businessSeconds(from: start, to: start.addingTimeInterval(hours * 3600)) == hours * 3600)
            }
        }
        #expect(open24.isOpen(at: sunday) && walked.isOpen(at: sunday))
    }

    @Test("an SLA clock pauses while pending and resumes; warning at 80 %; breach")
    func clock() throws {
        let calendar = try weekdays("UTC")
        let monday = at("2026-11-23 09:00", "UTC")
        var clock = SLAClock(target: 8 * 3600, startedAt: monday)
        #expect(clock.deadline(calendar: calendar) == at("2026-11-23 17:00", "UTC"))
        #expect(clock.warning(calendar: calendar) == at("2026-11-23 15:24", "UTC"), "80 % of 8 h = 6 h 24 min")
        clock.pause(at: at("2026-11-23 11:00", "UTC"), calendar: calendar)
        #expect(clock.deadline(calendar: calendar) == nil && clock.consumed == 2 * 3600)
        #expect(!clock.isBreached(at: at("2026-11-30 09:00", "UTC"), calendar: calendar), "paused: a week passes, nothing breaches")
        clock.resume(at: at("2026-11-24 09:00", "UTC"))
        #expect(clock.deadline(calendar: calendar) == at("2026-11-24 15:00", "UTC"), "6 h left from Tuesday 09:00")
        #expect(clock.isBreached(at: at("2026-11-24 15:00", "UTC"), calendar: calendar))
        #expect(!clock.isBreached(at: at("2026-11-24 14:59", "UTC"), calendar: calendar))
        clock.meet(at: at("2026-11-24 12:00", "UTC"), calendar: calendar)
        #expect(clock.metAt != nil && clock.deadline(calendar: calendar) == nil && clock.consumed == 5 * 3600)
        #expect(!clock.isBreached(at: at("2026-12-24 12:00", "UTC"), calendar: calendar), "a met target never breaches")
    }

    @Test("a calendar with no open time gives no deadline instead of looping; bad definitions are refused")
    func degenerate() throws {
        let never = try BusinessCalendar(BusinessHours(timezone: "UTC", weekly: []))
        #expect(never.date(addingBusinessSeconds: 60, to: Date()) == nil)
        #expect(throws: CalendarError.self) { try BusinessCalendar(BusinessHours(timezone: "Mars/Olympus", weekly: [])) }
        #expect(BusinessCalendar.always.date(addingBusinessSeconds: 90, to: Date(timeIntervalSince1970: 0)) == Date(timeIntervalSince1970: 90))
    }

    @Test("ticket lifecycle: allowed transitions, refusals with reasons, and what a late reply does")
    func lifecycle() throws {
        #expect(try TicketTransition.open.apply(to: .new) == .open)
        #expect(try TicketTransition.wait.apply(to: .open) == .pending)
        #expect(try TicketTransition.open.apply(to: .pending) == .open)
        #expect(try TicketTransition.resolve.apply(to: .pending) == .resolved)
        #expect(try TicketTransition.reopen.apply(to: .resolved) == .open)
        #expect(try TicketTransition.close.apply(to: .resolved) == .closed)
        #expect(throws: TicketTransitionError.self) { try TicketTransition.reopen.apply(to: .closed) }
        #expect(throws: TicketTransitionError.self) { try TicketTransition.wait.apply(to: .resolved) }
        do {
            _ = try TicketTransition.reopen.apply(to: .closed)
        } catch {
            #expect(error.description.contains("a new ticket linked to it"))
        }
        #expect(TicketState.pending.clocksRun == false && TicketState.open.clocksRun)
        let resolved = Date(timeIntervalSince1970: 1_000_000)
        #expect(ReplyEffect.of(replyAt: resolved.addingTimeInterval(6 * 86_400), state: .resolved, resolvedAt: resolved) == .reopen)
        #expect(ReplyEffect.of(replyAt: resolved.addingTimeInterval(8 * 86_400), state: .resolved, resolvedAt: resolved) == .newLinkedTicket)
        #expect(ReplyEffect.of(replyAt: resolved, state: .closed, resolvedAt: resolved) == .newLinkedTicket)
        #expect(ReplyEffect.of(replyAt: resolved, state: .pending, resolvedAt: nil) == .joins)
    }
}
