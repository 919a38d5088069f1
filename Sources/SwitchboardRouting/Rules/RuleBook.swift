import Foundation
import SwitchboardCore

/// The ordered rules, turning a conversation's facts into a routing request.
public struct RuleBook: Sendable, Hashable {
    public let rules: [RoutingRule]

    /// A checked rule list (see ``RoutingRule/validate(_:path:)``).
    public init(_ rules: [RoutingRule]) throws(ValidationError) {
        try RoutingRule.validate(rules)
        self.rules = rules
    }

    /// The first rule whose conditions hold, and the request it makes.
    public func request(for context: RoutingContext, at time: Date) -> RoutingRequest? {
        for rule in rules {
            let vipLevel = Self.vipLevel(context, source: rule.then.vipSource ?? .parameterThenAttribute)
            guard Self.matches(rule.when, context: context, vipLevel: vipLevel, at: time) else { continue }
            return RoutingRequest(
                conversationID: context.conversationID, customerID: context.customerID, group: rule.then.group,
                level: rule.then.priority ?? vipLevel, requiredSkill: rule.then.skill, channelID: context.channelID,
                sourcePage: context.attributes.sourcePage, keyword: context.attributes.keyword,
                exclusiveAgent: context.exclusiveAgent, returningAgent: context.returningAgent,
                badlyRated: context.badlyRated, rule: rule.name, reception: rule.then.reception ?? .humanOnly)
        }
        return nil
    }

    static func vipLevel(_ context: RoutingContext, source: VIPSource) -> Int {
        let level =
            switch source {
            case .parameter: context.attributes.vipLevel ?? 0
            case .attribute: context.customerVIPLevel
            case .parameterThenAttribute: context.attributes.vipLevel ?? context.customerVIPLevel
            }
        return min(max(level, 0), RoutingState.maxLevel)
    }

    static func matches(_ when: RuleConditions, context: RoutingContext, vipLevel: Int, at time: Date) -> Bool {
        func folded(_ text: String?) -> String? { text?.lowercased() }
        func oneOf(_ value: String?, _ allowed: [String]?) -> Bool {
            guard let allowed else { return true }
            guard let value = folded(value) else { return false }
            return allowed.contains { $0.lowercased() == value }
        }
        func containsAny(_ text: String?, _ needles: [String]?) -> Bool {
            guard let needles else { return true }
            guard let text = folded(text) else { return false }
            return needles.contains { text.contains($0.lowercased()) }
        }
        if let range = when.vipLevel, !range.contains(vipLevel) { return false }
        for (attribute, values) in when.customer ?? [:] where !oneOf(context.customerAttributes[attribute], values) {
            return false
        }
        guard containsAny(context.firstMessageText, when.keywords) else { return false }
        let businessType = context.attributes.extra["businessType"] ?? context.customerAttributes["businessType"]
        guard oneOf(businessType, when.businessTypes) else { return false }
        if let hours = when.hours, !hours.isOpen(at: time) { return false }
        if let hours = when.outsideHours, hours.isOpen(at: time) { return false }
        let region =
            context.attributes.region ?? context.customerAttributes["region"] ?? context.customerAttributes["province"]
        guard oneOf(region, when.regions) else { return false }
        guard oneOf(context.channelID, when.channels), oneOf(context.channelKind, when.channelKinds) else { return false }
        if let pages = when.pages {
            guard let page = context.attributes.sourcePage, pages.contains(where: { page.hasPrefix($0) }) else {
                return false
            }
        }
        return containsAny(context.attributes.keyword, when.searchKeywords)
    }
}
