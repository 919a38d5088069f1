import Foundation

/// IMAP's `INTERNALDATE` (`"17-Jul-1996 02:44:25 -0700"`, RFC 9051 §9 `date-time`): when the server
/// received the message. Used as the contact's time when the message has no usable `Date` header.
enum IMAPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse(_ text: String) -> Date? {
        let fields = text.trimmingCharacters(in: .whitespaces).split(separator: " ")
        guard fields.count == 3 else { return nil }
        let day = fields[0].split(separator: "-")
        let time = fields[1].split(separator: ":").compactMap { Int($0) }
        let zone = fields[2]
        guard day.count == 3, let dayOfMonth = Int(day[0]), let month = months.firstIndex(of: day[1].lowercased()),
            let year = Int(day[2]), time.count == 3, zone.count == 5, let sign = zone.first, sign == "+" || sign == "-",
            let hours = Int(zone.dropFirst().prefix(2)), let minutes = Int(zone.suffix(2))
        else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = month + 1
        components.day = dayOfMonth
        components.hour = time[0]
        components.minute = time[1]
        components.second = time[2]
        let offset = (hours * 3600 + minutes * 60) * (sign == "-" ? -1 : 1)
        guard let timeZone = TimeZone(secondsFromGMT: offset) else { return nil }
        components.timeZone = timeZone
        return Calendar(identifier: .gregorian).date(from: components)
    }
}
