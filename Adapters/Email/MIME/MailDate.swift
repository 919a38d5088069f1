import Foundation

/// RFC 5322 dates (`Wed, 04 Mar 2026 04:54:00 +0800`), with the obsolete forms mail still
/// carries: no weekday, no seconds, two-digit years, named zones (`GMT`, `EST`, …), comments.
public enum MailDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let zones: [String: Int] = [
        "ut": 0, "gmt": 0, "z": 0, "utc": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420,
        "mdt": -360, "pst": -480, "pdt": -420,
    ]

    public static func parse(_ text: String) -> Date? {
        // Drop comments and the weekday.
        var cleaned = ""
        var depth = 0
        for character in text {
            if character == "(" { depth += 1; continue }
            if character == ")" { depth = max(0, depth - 1); continue }
            if depth == 0 { cleaned.append(character) }
        }
        if let comma = cleaned.firstIndex(of: ",") { cleaned = String(cleaned[cleaned.index(after: comma)...]) }
        let tokens = cleaned.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).map(String.init)
        guard tokens.count >= 4, let day = Int(tokens[0]),
            let month = months.firstIndex(of: String(tokens[1].prefix(3)).lowercased()),
            var year = Int(tokens[2])
        else { return nil }
        if year < 50 { year += 2000 } else if year < 1000 { year += 1900 }
        let time = tokens[3].split(separator: ":").compactMap { Int($0) }
        guard time.count >= 2, (0...23).contains(time[0]), (0...59).contains(time[1]) else { return nil }
        var offsetMinutes = 0
        if tokens.count >= 5 {
            let zone = tokens[4]
            if let sign = zone.first, sign == "+" || sign == "-", zone.count == 5, let value = Int(zone.dropFirst()) {
                offsetMinutes = (value / 100 * 60 + value % 100) * (sign == "-" ? -1 : 1)
            } else {
                offsetMinutes = zones[zone.lowercased()] ?? 0
            }
        }
        var components = DateComponents()
        components.year = year
        components.month = month + 1
        components.day = day
        components.hour = time[0]
        components.minute = time[1]
        components.second = time.count > 2 ? min(time[2], 59) : 0
        var calendar = Calendar(identifier: .gregorian)
        guard let utc = TimeZone(identifier: "UTC") else { return nil }
        calendar.timeZone = utc
        guard let date = calendar.date(from: components) else { return nil }
        return date.addingTimeInterval(TimeInterval(-offsetMinutes * 60))
    }
}

extension MIMEMessage {
    /// The `Date` header, when it parses.
    public var date: Date? { headers.string("Date").flatMap(MailDate.parse) }
}
