import Foundation
import SwitchboardCore

/// One push from Weibo's fan-service message service:
/// `{"type", "receiver_id", "sender_id", "created_at", "text", "data"}`.
///
/// User ids are 64-bit integers and are read exactly (as integers or as digit strings, never
/// through a floating-point number). `created_at` is Weibo's `Mon Jul 16 18:09:20 +0800 2012`.
public struct WeiboPush: Sendable, Hashable {
    /// `text`, `position`, `voice`, `image`, `event`, `mention`, or a type Weibo adds later.
    public var type: String
    public var receiverID: Int64
    public var senderID: Int64
    public var createdAt: Date
    /// `created_at` exactly as sent (part of the dedupe key).
    public var createdAtText: String
    public var text: String
    /// The `data` object, every value as text (numbers in their exact decimal form).
    public var data: [String: String]
    /// SHA-256 of the text and the `data` object with sorted keys: with sender, time and type,
    /// what identifies a push (Weibo sends no message id).
    public var contentHash: String

    /// Reads a push, naming the first missing or malformed field.
    public init(json body: Data) throws(WeiboPushError) {
        let object: Wire
        do {
            object = try JSONDecoder().decode(Wire.self, from: body)
        } catch {
            let problem = DecodingProblem.describe(error)
            throw WeiboPushError(problem.field.map { "\($0) \(problem.message)" } ?? problem.message)
        }
        guard !object.type.isEmpty else { throw WeiboPushError("type is empty") }
        guard let created = Self.parseDate(object.createdAt) else {
            throw WeiboPushError("created_at '\(object.createdAt)' is not a Weibo time (Mon Jul 16 18:09:20 +0800 2012)")
        }
        type = object.type
        receiverID = object.receiverID.value
        senderID = object.senderID.value
        createdAt = created
        createdAtText = object.createdAt
        text = object.text ?? ""
        var data: [String: String] = [:]
        for (key, value) in object.data?.values ?? [:] { data[key] = value.text }
        self.data = data
        var canonical = Data(text.utf8)
        canonical.append(0)
        for key in data.keys.sorted() {
            canonical.append(contentsOf: Array(key.utf8) + [0] + Array((data[key] ?? "").utf8) + [0])
        }
        contentHash = Attachment.digest(of: canonical)
    }

    /// Parses `EEE MMM dd HH:mm:ss Z yyyy` (English names, numeric zone) without a formatter.
    static func parseDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6 else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let monthIndex = months.firstIndex(of: String(parts[1])), let day = Int(parts[2]), let year = Int(parts[5]) else {
            return nil
        }
        let clock = parts[3].split(separator: ":")
        guard clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]) else { return nil }
        let zone = Array(parts[4].utf8)
        guard zone.count == 5, zone[0] == UInt8(ascii: "+") || zone[0] == UInt8(ascii: "-"),
            let zoneHours = Int(String(decoding: zone[1...2], as: UTF8.self)),
            let zoneMinutes = Int(String(decoding: zone[3...4], as: UTF8.self))
        else { return nil }
        let offset = (zoneHours * 3600 + zoneMinutes * 60) * (zone[0] == UInt8(ascii: "-") ? -1 : 1)
        guard let timeZone = TimeZone(secondsFromGMT: offset) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: year, month: monthIndex + 1, day: day, hour: hour, minute: minute, second: second)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return date
    }

    /// The push as it arrives.
    private struct Wire: Decodable {
        var type: String
        var receiverID: ExactInt64
        var senderID: ExactInt64
        var createdAt: String
        var text: String?
        var data: DataObject?

        enum CodingKeys: String, CodingKey {
            case type, text, data
            case receiverID = "receiver_id"
            case senderID = "sender_id"
            case createdAt = "created_at"
        }
    }

    /// `data`: an object of scalars (an empty array or null, as some pushes send, is empty).
    private struct DataObject: Decodable {
        var values: [String: Scalar]

        init(from decoder: any Decoder) throws {
            if let object = try? decoder.singleValueContainer().decode([String: Scalar].self) {
                values = object
            } else if let list = try? decoder.singleValueContainer().decode([Scalar].self), list.isEmpty {
                values = [:]
            } else if (try? decoder.singleValueContainer().decodeNil()) == true {
                values = [:]
            } else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "must be an object"))
            }
        }
    }

    /// Any JSON value as text: strings as they are, integers exactly, nested arrays and objects as
    /// JSON with sorted keys (so a later push shape still reads, and hashes the same every time).
    private struct Scalar: Decodable {
        var text: String

        init(from decoder: any Decoder) throws {
            let value = try JSONValue(from: decoder)
            if case .string(let string) = value { text = string } else { text = value.canonical }
        }
    }
}

/// A JSON value read exactly (64-bit integers kept as integers), with a canonical rendering.
indirect enum JSONValue: Decodable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Compact JSON with object keys sorted.
    var canonical: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .string(let value): Self.quoted(value)
        case .array(let values): "[" + values.map(\.canonical).joined(separator: ",") + "]"
        case .object(let values):
            "{" + values.keys.sorted().map { Self.quoted($0) + ":" + (values[$0]?.canonical ?? "null") }.joined(separator: ",") + "}"
        }
    }

    private static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

/// A 64-bit id sent as a JSON integer or a string of digits, read exactly.
struct ExactInt64: Decodable, Hashable {
    var value: Int64

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Int64(text) {
            value = number
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "must be a 64-bit integer id"))
        }
        guard value > 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "must be a positive id"))
        }
    }
}

/// A body that is JSON but not a Weibo push.
public struct WeiboPushError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
