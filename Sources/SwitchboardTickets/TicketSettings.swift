import Foundation

/// Everything the ticket desk is configured with: types, SLA policies, calendars, group
/// settings, generator rules and the reopen window.
///
/// Built from `tickets:` in the configuration (and the types and rules managed through the API);
/// the built-in types back the built-in rules, so tickets work with no configuration at all.
public struct TicketSettings: Sendable {
    public var types: [String: TicketType]
    public var policies: [String: SLAPolicy]
    public var calendars: [String: BusinessCalendar]
    public var groups: [String: TicketGroupSettings]
    /// The SLA policy of types that name none.
    public var defaultPolicy: String?
    /// How long after resolution a customer's reply reopens the ticket (default 7 days); later
    /// replies open a new ticket linked to it.
    public var reopenWindow: TimeInterval
    /// Generator rules in order (configured first, then the built-in defaults when enabled).
    public var rules: [TicketRule]
    /// Whether SLA warnings and breaches are sent to a webhook.
    public var webhook: Bool

    public init(
        types: [TicketType] = [], policies: [SLAPolicy] = [], calendars: [String: BusinessCalendar] = [:],
        groups: [TicketGroupSettings] = [], defaultPolicy: String? = nil, reopenWindow: TimeInterval = 7 * 24 * 3600,
        rules: [TicketRule] = TicketRule.defaults, webhook: Bool = false
    ) {
        var byName = Dictionary(Self.builtInTypes.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        for type in types { byName[type.name] = type }
        self.types = byName
        self.policies = Dictionary(policies.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.calendars = calendars
        self.groups = Dictionary(groups.map { ($0.group, $0) }, uniquingKeysWith: { _, last in last })
        self.defaultPolicy = defaultPolicy
        self.reopenWindow = reopenWindow
        self.rules = rules
        self.webhook = webhook
    }

    /// The types the built-in rules open, present unless the configuration redefines them.
    public static let builtInTypes: [TicketType] = [
        TicketType(name: "general"),
        TicketType(name: "email"),
        TicketType(name: "call-back", defaultPriority: .p2),
        TicketType(name: "bot-escalation"),
        TicketType(name: "escalation", defaultPriority: .p2),
    ]

    /// These settings with `types` over the built-in ones (what the API's type list replaces).
    public func replacingTypes(_ types: [TicketType]) -> TicketSettings {
        var copy = self
        var byName = Dictionary(Self.builtInTypes.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        for type in types { byName[type.name] = type }
        copy.types = byName
        return copy
    }

    func calendar(named name: String?) -> BusinessCalendar {
        name.flatMap { calendars[$0] } ?? .always
    }

    func policy(for type: TicketType) -> SLAPolicy? {
        (type.slaPolicy ?? defaultPolicy).flatMap { policies[$0] }
    }
}
