import Foundation
import SwitchboardCore

/// A ticket priority, P1 (most urgent) to P4.
public enum TicketPriority: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case p1 = "P1", p2 = "P2", p3 = "P3", p4 = "P4"

    public static func < (lhs: TicketPriority, rhs: TicketPriority) -> Bool { lhs.rawValue < rhs.rawValue }

    /// One step more urgent (P1 stays P1): what an SLA breach escalates to.
    public var raised: TicketPriority {
        switch self {
        case .p1, .p2: .p1
        case .p3: .p2
        case .p4: .p3
        }
    }
}

/// A kind of ticket and its template: the fields a ticket of this type carries, which are
/// required, and its defaults. A ticket that misses a required field or gives one of the wrong
/// type is refused with the field's name (`400 {"field": "fields.orderNumber"}`).
public struct TicketType: Sendable, Hashable, Codable {
    public var name: String
    public var fields: [FieldDefinition]
    public var defaultPriority: TicketPriority
    public var defaultGroup: String?
    /// The SLA policy's name, if tickets of this type have one.
    public var slaPolicy: String?

    public init(
        name: String, fields: [FieldDefinition] = [], defaultPriority: TicketPriority = .p3, defaultGroup: String? = nil,
        slaPolicy: String? = nil
    ) {
        self.name = name
        self.fields = fields
        self.defaultPriority = defaultPriority
        self.defaultGroup = defaultGroup
        self.slaPolicy = slaPolicy
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        fields = try container.decodeIfPresent([FieldDefinition].self, forKey: .fields) ?? []
        defaultPriority = try container.decodeIfPresent(TicketPriority.self, forKey: .defaultPriority) ?? .p3
        defaultGroup = try container.decodeIfPresent(String.self, forKey: .defaultGroup)
        slaPolicy = try container.decodeIfPresent(String.self, forKey: .slaPolicy)
    }

    /// One field of the template.
    public struct FieldDefinition: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
            case text, number, choice, date
            /// Taken from the customer's attribute named ``attribute`` (not given by the caller).
            case customerAttribute
        }

        public var name: String
        public var kind: Kind
        public var required: Bool
        /// The allowed values of a `choice` field.
        public var choices: [String]?
        /// The customer attribute a `customerAttribute` field copies.
        public var attribute: String?

        public init(name: String, kind: Kind, required: Bool = false, choices: [String]? = nil, attribute: String? = nil) {
            self.name = name
            self.kind = kind
            self.required = required
            self.choices = choices
            self.attribute = attribute
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            kind = try container.decode(Kind.self, forKey: .kind)
            required = try container.decodeIfPresent(Bool.self, forKey: .required) ?? false
            choices = try container.decodeIfPresent([String].self, forKey: .choices)
            attribute = try container.decodeIfPresent(String.self, forKey: .attribute)
        }
    }

    /// A value given for a field (JSON: a string, a number or a boolean).
    public enum FieldValue: Sendable, Hashable, Codable {
        case text(String)
        case number(Double)
        case flag(Bool)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                self = .flag(flag)
            } else if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else {
                self = .text(try container.decode(String.self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .number(let number): try container.encode(number)
            case .flag(let flag): try container.encode(flag)
            }
        }
    }

    /// Checks the definition itself (from configuration or the API).
    public func validate(field path: String = "ticketType") throws(ValidationError) {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 100 else {
            throw ValidationError(field: "\(path).name", reason: "must be 1 to 100 characters")
        }
        var seen: Set<String> = []
        for (index, field) in fields.enumerated() {
            let fieldPath = "\(path).fields[\(index)]"
            guard !field.name.isEmpty, field.name.count <= 64, field.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw ValidationError(field: "\(fieldPath).name", reason: "must be 1 to 64 letters, digits or _")
            }
            guard seen.insert(field.name).inserted else {
                throw ValidationError(field: "\(fieldPath).name", reason: "'\(field.name)' is defined twice")
            }
            if field.kind == .choice && (field.choices ?? []).isEmpty {
                throw ValidationError(field: "\(fieldPath).choices", reason: "must list the allowed values of a choice field")
            }
            if field.kind == .customerAttribute && (field.attribute ?? "").isEmpty {
                throw ValidationError(field: "\(fieldPath).attribute", reason: "must name the customer attribute to copy")
            }
        }
    }

    /// The ticket's field values, checked against the template and normalized to text
    /// (numbers as written by Swift, dates `YYYY-MM-DD`, customer attributes copied in).
    /// Errors name the field as the API sees it: `fields.<name>`.
    public func fieldValues(_ given: [String: FieldValue], customerAttributes: [String: String]) throws(ValidationError)
        -> [String: String]
    {
        let known = Set(fields.map(\.name))
        if let unknown = given.keys.sorted().first(where: { !known.contains($0) }) {
            throw ValidationError(field: "fields.\(unknown)", reason: "is not a field of ticket type '\(name)'")
        }
        var values: [String: String] = [:]
        for field in fields {
            let path = "fields.\(field.name)"
            if field.kind == .customerAttribute {
                if given[field.name] != nil {
                    throw ValidationError(field: path, reason: "comes from the customer's '\(field.attribute ?? "")' attribute; do not give it")
                }
                if let value = customerAttributes[field.attribute ?? ""], !value.isEmpty {
                    values[field.name] = value
                } else if field.required {
                    throw ValidationError(field: path, reason: "is required, but the customer has no '\(field.attribute ?? "")' attribute")
                }
                continue
            }
            guard let value = given[field.name] else {
                if field.required { throw ValidationError(field: path, reason: "is required") }
                continue
            }
            values[field.name] = try Self.check(value, for: field, path: path)
        }
        return values
    }

    private static func check(_ value: FieldValue, for field: FieldDefinition, path: String) throws(ValidationError) -> String {
        switch (field.kind, value) {
        case (.text, .text(let text)):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, text.utf8.count <= 10_000 else {
                throw ValidationError(field: path, reason: "must be non-empty text of at most 10,000 bytes")
            }
            return text
        case (.number, .number(let number)):
            guard number.isFinite else { throw ValidationError(field: path, reason: "must be a finite number") }
            return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case (.choice, .text(let text)):
            guard let choices = field.choices, choices.contains(text) else {
                throw ValidationError(field: path, reason: "must be one of \((field.choices ?? []).joined(separator: ", "))")
            }
            return text
        case (.date, .text(let text)):
            guard isDate(text) else { throw ValidationError(field: path, reason: "must be a date YYYY-MM-DD") }
            return text
        default:
            throw ValidationError(field: path, reason: "must be \(expected(field.kind))")
        }
    }

    private static func expected(_ kind: FieldDefinition.Kind) -> String {
        switch kind {
        case .text: "text"
        case .number: "a number"
        case .choice: "one of the choices (text)"
        case .date: "a date YYYY-MM-DD (text)"
        case .customerAttribute: "taken from the customer"
        }
    }

    /// A real calendar date written `YYYY-MM-DD` (no 2026-02-30).
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)) else { return false }
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        return back.year == year && back.month == month && back.day == day
    }
}
