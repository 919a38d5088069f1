import Foundation
import SwitchboardCore

/// What makes the generator look at a conversation.
public enum TicketTrigger: String, Sendable, Hashable, Codable, CaseIterable {
    /// A contact that opened a new conversation (a new email thread, a first chat message, a call).
    case newConversation
    /// Any inbound contact, new conversation or not (a missed call threaded into an old one).
    case contact
    /// The bot found no answer (the count so far is ``TicketFacts/botFailures``).
    case botFailed
    /// An agent escalated the conversation (`POST /api/v1/conversations/{id}/escalate`).
    case escalated
}

/// A generator rule: on a trigger, when every given condition holds, open a ticket of a type.
///
/// Rules are tried in order (configured or API-managed ones first, then the built-in defaults);
/// the first match opens the ticket and is recorded as its `createdBy`. A conversation that
/// already has an active ticket gets no second one.
public struct TicketRule: Sendable, Hashable, Codable {
    public var name: String
    public var on: TicketTrigger
    public var when: Conditions
    public var then: Action

    public init(name: String, on: TicketTrigger, when: Conditions = Conditions(), then: Action) {
        self.name = name
        self.on = on
        self.when = when
        self.then = then
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        on = try container.decodeIfPresent(TicketTrigger.self, forKey: .on) ?? .newConversation
        when = try container.decodeIfPresent(Conditions.self, forKey: .when) ?? Conditions()
        then = try container.decode(Action.self, forKey: .then)
    }

    /// Every given condition must hold. Text comparisons ignore case.
    public struct Conditions: Sendable, Hashable, Codable {
        /// Channel ids.
        public var channels: [String]?
        /// Channel kinds (`email`, `webchat`, `phone`, `wechat`).
        public var channelKinds: [String]?
        /// Any of these words or phrases in the message text or subject.
        public var keywords: [String]?
        /// Customer attributes that must have these values.
        public var customerAttributes: [String: String]?
        public var minVIPLevel: Int?
        /// Call dispositions (`missed`, `abandoned`, `busy`, `answered`), from the contact's
        /// `disposition` attribute that phone channels set.
        public var callDispositions: [String]?
        /// At least this many bot failures in the conversation (with `on: botFailed`).
        public var minBotFailures: Int?

        public init(
            channels: [String]? = nil, channelKinds: [String]? = nil, keywords: [String]? = nil,
            customerAttributes: [String: String]? = nil, minVIPLevel: Int? = nil, callDispositions: [String]? = nil,
            minBotFailures: Int? = nil
        ) {
            self.channels = channels
            self.channelKinds = channelKinds
            self.keywords = keywords
            self.customerAttributes = customerAttributes
            self.minVIPLevel = minVIPLevel
            self.callDispositions = callDispositions
            self.minBotFailures = minBotFailures
        }
    }

    /// The ticket to open.
    public struct Action: Sendable, Hashable, Codable {
        /// The ticket type's name.
        public var type: String
        /// Overrides the type's default priority.
        public var priority: TicketPriority?
        /// Overrides the type's default group.
        public var group: String?
        /// Field values taken from the contact: field name → source (`text`, `subject`,
        /// `channel`, `customer.name`, `customer.<attribute>`, `contact.<attribute>`).
        public var fields: [String: String]?

        public init(type: String, priority: TicketPriority? = nil, group: String? = nil, fields: [String: String]? = nil) {
            self.type = type
            self.priority = priority
            self.group = group
            self.fields = fields
        }
    }

    public func matches(_ facts: TicketFacts, trigger: TicketTrigger) -> Bool {
        guard on == trigger || (on == .contact && trigger == .newConversation) else { return false }
        func any(_ list: [String]?, _ value: String) -> Bool {
            list.map { $0.contains { $0.caseInsensitiveCompare(value) == .orderedSame } } ?? true
        }
        guard any(when.channels, facts.channelID), any(when.channelKinds, facts.channelKind) else { return false }
        if let keywords = when.keywords {
            let haystack = "\(facts.subject ?? "")\n\(facts.text ?? "")".lowercased()
            guard keywords.contains(where: { haystack.contains($0.lowercased()) }) else { return false }
        }
        for (key, value) in when.customerAttributes ?? [:] {
            guard facts.customerAttributes[key]?.caseInsensitiveCompare(value) == .orderedSame else { return false }
        }
        if let level = when.minVIPLevel, facts.vipLevel < level { return false }
        if let dispositions = when.callDispositions {
            guard let disposition = facts.contactAttributes["disposition"], any(dispositions, disposition) else { return false }
        }
        if let failures = when.minBotFailures, facts.botFailures < failures { return false }
        return true
    }

    /// Field values for the ticket from the contact, by the action's sources.
    public func fieldValues(_ facts: TicketFacts) -> [String: TicketType.FieldValue] {
        var values: [String: TicketType.FieldValue] = [:]
        for (field, source) in then.fields ?? [:] {
            let value: String?
            switch source {
            case "text": value = facts.text
            case "subject": value = facts.subject
            case "channel": value = facts.channelID
            case "customer.name": value = facts.customerName
            default:
                if source.hasPrefix("customer.") {
                    value = facts.customerAttributes[String(source.dropFirst("customer.".count))]
                } else if source.hasPrefix("contact.") {
                    value = facts.contactAttributes[String(source.dropFirst("contact.".count))]
                } else {
                    value = nil
                }
            }
            if let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { values[field] = .text(value) }
        }
        return values
    }

    /// Checks one rule against the known ticket types.
    public func validate(path: String, types: Set<String>) throws(ValidationError) {
        try InboundContact.checkIdentifier(name, field: "\(path).name", maxBytes: 100)
        guard types.contains(then.type) else {
            throw ValidationError(field: "\(path).then.type", reason: "names no ticket type '\(then.type)'")
        }
        let sources: Set<String> = ["text", "subject", "channel", "customer.name"]
        for (field, source) in then.fields ?? [:] {
            guard sources.contains(source) || source.hasPrefix("customer.") || source.hasPrefix("contact.") else {
                throw ValidationError(
                    field: "\(path).then.fields.\(field)",
                    reason: "'\(source)' is not a source; use text, subject, channel, customer.name, customer.<attribute> or contact.<attribute>")
            }
        }
        if let level = when.minVIPLevel, !(0...10).contains(level) {
            throw ValidationError(field: "\(path).when.minVIPLevel", reason: "must be 0-10")
        }
        if when.minBotFailures != nil && on != .botFailed {
            throw ValidationError(field: "\(path).when.minBotFailures", reason: "applies only to rules with on: botFailed")
        }
    }

    /// Checks an ordered list: each rule, and names unique.
    public static func validate(_ rules: [TicketRule], types: Set<String>, path: String = "rules") throws(ValidationError) {
        var names: Set<String> = []
        for (index, rule) in rules.enumerated() {
            try rule.validate(path: "\(path)[\(index)]", types: types)
            guard names.insert(rule.name).inserted else {
                throw ValidationError(field: "\(path)[\(index)].name", reason: "repeats the rule name '\(rule.name)'")
            }
        }
    }

    /// The built-in rules, tried after the configured ones: every new email thread, a missed or
    /// abandoned call, the bot failing twice, an agent's escalation.
    public static let defaults: [TicketRule] = [
        TicketRule(name: "email-new-thread", on: .newConversation, when: Conditions(channelKinds: ["email"]), then: Action(type: "email")),
        TicketRule(
            name: "missed-call", on: .contact, when: Conditions(callDispositions: ["missed", "abandoned"]),
            then: Action(type: "call-back")),
        TicketRule(name: "bot-failed-twice", on: .botFailed, when: Conditions(minBotFailures: 2), then: Action(type: "bot-escalation")),
        TicketRule(name: "agent-escalation", on: .escalated, then: Action(type: "escalation")),
    ]
}

/// What a generator rule looks at: the conversation, its channel, the contact and its customer.
public struct TicketFacts: Sendable, Hashable {
    public var conversationID: ConversationID
    public var customerID: CustomerID
    public var channelID: String
    public var channelKind: String
    public var text: String?
    public var subject: String?
    public var customerName: String?
    public var customerAttributes: [String: String]
    public var vipLevel: Int
    /// What the channel said about the contact (`disposition` for calls, `subject` for mail).
    public var contactAttributes: [String: String]
    public var botFailures: Int

    public init(
        conversationID: ConversationID, customerID: CustomerID, channelID: String, channelKind: String, text: String?,
        subject: String?, customerName: String?, customerAttributes: [String: String], vipLevel: Int,
        contactAttributes: [String: String], botFailures: Int = 0
    ) {
        self.conversationID = conversationID
        self.customerID = customerID
        self.channelID = channelID
        self.channelKind = channelKind
        self.text = text
        self.subject = subject
        self.customerName = customerName
        self.customerAttributes = customerAttributes
        self.vipLevel = vipLevel
        self.contactAttributes = contactAttributes
        self.botFailures = botFailures
    }

    /// The customer's tier for SLA targets (their `tier` attribute).
    public var tier: String? { customerAttributes["tier"] }
}
