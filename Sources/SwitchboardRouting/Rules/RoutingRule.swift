import Foundation
import SwitchboardCore

/// One routing rule: conditions on who/what/when/where/how, and what to do when they all hold.
///
/// Rules are an ordered list; the first whose conditions all hold decides. The last rule must
/// be the default: a rule without conditions, so every conversation has a destination.
public struct RoutingRule: Sendable, Hashable, Codable {
    public var name: String
    public var when: RuleConditions
    public var then: RuleActions

    public init(name: String, when: RuleConditions = RuleConditions(), then: RuleActions) {
        self.name = name
        self.when = when
        self.then = then
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        when = try container.decodeIfPresent(RuleConditions.self, forKey: .when) ?? RuleConditions()
        then = try container.decode(RuleActions.self, forKey: .then)
    }

    public var isDefault: Bool { when == RuleConditions() }

    /// Checks one rule; `path` prefixes field names (`rules[2]`).
    public func validate(path: String) throws(ValidationError) {
        try InboundContact.checkIdentifier(name, field: "\(path).name", maxBytes: 100)
        try when.validate(path: "\(path).when")
        try then.validate(path: "\(path).then")
    }

    /// Checks a whole ordered list: names unique, the default rule last and only last.
    public static func validate(_ rules: [RoutingRule], path: String = "rules") throws(ValidationError) {
        guard let last = rules.last else {
            throw ValidationError(field: path, reason: "must end with a default rule (a rule without `when`)")
        }
        var names: Set<String> = []
        for (index, rule) in rules.enumerated() {
            try rule.validate(path: "\(path)[\(index)]")
            guard names.insert(rule.name).inserted else {
                throw ValidationError(field: "\(path)[\(index)].name", reason: "repeats the rule name '\(rule.name)'")
            }
            if rule.isDefault && index != rules.count - 1 {
                throw ValidationError(
                    field: "\(path)[\(index)]", reason: "has no conditions, so the rules after it could never match; move it last")
            }
        }
        guard last.isDefault else {
            throw ValidationError(
                field: "\(path)[\(rules.count - 1)]", reason: "must be the default rule (no `when`), so every conversation is routed")
        }
    }
}

/// The conditions of a rule; all given ones must hold. Text comparisons ignore case.
public struct RuleConditions: Sendable, Hashable, Codable {
    // who
    /// The conversation's VIP level (as the rule's `vipSource` computes it) is within this range.
    public var vipLevel: LevelRange?
    /// Customer attributes: each named attribute must equal one of the listed values.
    public var customer: [String: [String]]?
    // what
    /// Any of these appears in the first message's text.
    public var keywords: [String]?
    /// The business type (channel attribute or customer attribute `businessType`) is one of these.
    public var businessTypes: [String]?
    // when
    /// The conversation arrives inside these hours.
    public var hours: BusinessHours?
    /// The conversation arrives outside these hours.
    public var outsideHours: BusinessHours?
    // where
    /// The region or province (from the channel, else the customer attributes `region`/`province`).
    public var regions: [String]?
    // how
    public var channels: [String]?
    public var channelKinds: [String]?
    /// The source page starts with one of these.
    public var pages: [String]?
    /// The search keyword the customer came with contains one of these.
    public var searchKeywords: [String]?

    public init(
        vipLevel: LevelRange? = nil, customer: [String: [String]]? = nil, keywords: [String]? = nil,
        businessTypes: [String]? = nil, hours: BusinessHours? = nil, outsideHours: BusinessHours? = nil,
        regions: [String]? = nil, channels: [String]? = nil, channelKinds: [String]? = nil, pages: [String]? = nil,
        searchKeywords: [String]? = nil
    ) {
        self.vipLevel = vipLevel
        self.customer = customer
        self.keywords = keywords
        self.businessTypes = businessTypes
        self.hours = hours
        self.outsideHours = outsideHours
        self.regions = regions
        self.channels = channels
        self.channelKinds = channelKinds
        self.pages = pages
        self.searchKeywords = searchKeywords
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        vipLevel = try container.decodeIfPresent(LevelRange.self, forKey: .vipLevel)
        customer = try container.decodeIfPresent([String: OneOrMany].self, forKey: .customer)?.mapValues(\.values)
        keywords = try container.decodeIfPresent(OneOrMany.self, forKey: .keywords)?.values
        businessTypes = try container.decodeIfPresent(OneOrMany.self, forKey: .businessTypes)?.values
        hours = try container.decodeIfPresent(BusinessHours.self, forKey: .hours)
        outsideHours = try container.decodeIfPresent(BusinessHours.self, forKey: .outsideHours)
        regions = try container.decodeIfPresent(OneOrMany.self, forKey: .regions)?.values
        channels = try container.decodeIfPresent(OneOrMany.self, forKey: .channels)?.values
        channelKinds = try container.decodeIfPresent(OneOrMany.self, forKey: .channelKinds)?.values
        pages = try container.decodeIfPresent(OneOrMany.self, forKey: .pages)?.values
        searchKeywords = try container.decodeIfPresent(OneOrMany.self, forKey: .searchKeywords)?.values
    }

    func validate(path: String) throws(ValidationError) {
        try vipLevel?.validate(path: "\(path).vipLevel")
        try hours?.validate(field: "\(path).hours")
        try outsideHours?.validate(field: "\(path).outsideHours")
        let lists: [(String, [String]?)] = [
            ("keywords", keywords), ("businessTypes", businessTypes), ("regions", regions), ("channels", channels),
            ("channelKinds", channelKinds), ("pages", pages), ("searchKeywords", searchKeywords),
        ]
        for (name, list) in lists {
            guard let list else { continue }
            guard !list.isEmpty, list.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 500 }) else {
                throw ValidationError(field: "\(path).\(name)", reason: "must list 1 or more non-empty values")
            }
        }
        for (attribute, values) in customer ?? [:] where values.isEmpty {
            throw ValidationError(field: "\(path).customer.\(attribute)", reason: "must list 1 or more values")
        }
    }
}

/// An inclusive range of VIP levels; either end may be left open.
public struct LevelRange: Sendable, Hashable, Codable {
    public var min: Int?
    public var max: Int?

    public init(min: Int? = nil, max: Int? = nil) {
        self.min = min
        self.max = max
    }

    func contains(_ level: Int) -> Bool { level >= (min ?? 0) && level <= (max ?? RoutingState.maxLevel) }

    func validate(path: String) throws(ValidationError) {
        for (name, value) in [("min", min), ("max", max)] {
            if let value, !(0...RoutingState.maxLevel).contains(value) {
                throw ValidationError(field: "\(path).\(name)", reason: "must be a level 0-10")
            }
        }
        if let min, let max, min > max { throw ValidationError(field: "\(path).max", reason: "must not be below min") }
        if min == nil && max == nil { throw ValidationError(field: path, reason: "needs min, max or both") }
    }
}

/// What a matching rule does.
public struct RuleActions: Sendable, Hashable, Codable {
    /// The group the conversation is routed to.
    public var group: GroupID
    /// A fixed queue level 0-10; when absent the VIP level (per `vipSource`) is the level.
    public var priority: Int?
    /// Where the VIP level comes from.
    public var vipSource: VIPSource?
    /// The skill the `skill` strategy matches on.
    public var skill: String?
    /// Bot, people, or both; default `human-only`.
    public var reception: ReceptionMode?

    public init(
        group: GroupID, priority: Int? = nil, vipSource: VIPSource? = nil, skill: String? = nil,
        reception: ReceptionMode? = nil
    ) {
        self.group = group
        self.priority = priority
        self.vipSource = vipSource
        self.skill = skill
        self.reception = reception
    }

    func validate(path: String) throws(ValidationError) {
        guard GroupID.isValid(group.rawValue) else { throw ValidationError(field: "\(path).group", reason: GroupID.rule) }
        if let priority, !(0...RoutingState.maxLevel).contains(priority) {
            throw ValidationError(field: "\(path).priority", reason: "must be a level 0-10")
        }
        if let skill, skill.isEmpty || skill.utf8.count > 64 {
            throw ValidationError(field: "\(path).skill", reason: "must be 1-64 bytes")
        }
    }
}

/// Where a conversation's VIP level comes from: the level the channel passed (web chat
/// `vipLevel`), the customer's stored level, or the parameter when given and else the customer's.
public enum VIPSource: String, Sendable, Hashable, Codable, CaseIterable {
    case parameter
    case attribute
    case parameterThenAttribute = "parameter-then-attribute"
}

/// A value that may be written as one string or a list of strings (`regions: Guangdong` or
/// `regions: [Guangdong, Fujian]`).
struct OneOrMany: Decodable {
    var values: [String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            values = [one]
        } else {
            values = try container.decode([String].self)
        }
    }
}
