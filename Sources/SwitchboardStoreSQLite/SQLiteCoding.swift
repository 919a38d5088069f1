import Foundation
import SwitchboardCore

/// Conversions between model values and their SQLite column representations.
enum SQLiteCoding {
    /// Times are stored as integer milliseconds since 1970 (UTC).
    /// Clamped to ±100,000 years, so no date a peer or a clock can produce traps the conversion.
    static func millis(_ date: Date) -> Int64 {
        millis(date, rounding: .toNearestOrAwayFromZero)
    }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    /// Milliseconds rounded toward the future (a due time stored this way is never early) or
    /// the past (a "now" read this way never runs ahead): together, a row found due by
    /// `due_at <= now` is due by the exact times too, so whoever fires it finds work to do.
    static func millis(_ date: Date, rounding rule: FloatingPointRoundingRule) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded(rule)
        guard value.isFinite else { return 0 }
        return Int64(min(max(value, -3.2e18), 3.2e18))
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()

    /// JSON text of a value, or `nil` for an empty collection (saves a column write on the hot path).
    static func json<T: Encodable & Collection>(_ value: T) throws -> String? {
        guard !value.isEmpty else { return nil }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func json<T: Encodable>(object value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String?, default defaultValue: T) -> T {
        guard let text, let value = try? decoder.decode(type, from: Data(text.utf8)) else { return defaultValue }
        return value
    }
}
