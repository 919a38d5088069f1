import SwitchboardCore

/// A name an organisation gives to an agent (`alice`, `agent-042`) or a group (`presales`).
///
/// These names appear in URLs, in assignment explanations and in metric labels, so they keep to
/// a URL-safe alphabet: ASCII letters, digits, `.`, `-`, `_` and `@`, 1-64 characters. The tag
/// keeps an agent's name from being passed where a group's is expected.
public struct RoutingName<Tag>: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// A name from untrusted input; `field` names it in the error.
    public init(validating text: String, field: String = "id") throws(ValidationError) {
        guard Self.isValid(text) else { throw ValidationError(field: field, reason: Self.rule) }
        self.rawValue = text
    }

    public static var rule: String { "must be 1-64 characters of A-Z, a-z, 0-9, '.', '-', '_' or '@'" }

    public static func isValid(_ text: String) -> Bool {
        let bytes = text.utf8
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2E || byte == 0x2D || byte == 0x5F || byte == 0x40
        }
    }

    public var description: String { rawValue }
    public static func < (lhs: RoutingName, rhs: RoutingName) -> Bool { lhs.rawValue < rhs.rawValue }
}

public typealias AgentID = RoutingName<Agent>
public typealias GroupID = RoutingName<RoutingGroup>
