import Foundation
import SwitchboardCore

/// How fast tickets must be answered and resolved, per priority and customer tier, and what
/// happens when they are not.
///
/// Targets are an ordered list; the first whose `priority` and tier conditions hold applies.
/// Times count in the policy's business-hours calendar (shared with routing's `BusinessHours`),
/// and pause while a ticket waits on the customer.
public struct SLAPolicy: Sendable, Hashable, Codable {
    public var name: String
    /// Name of a calendar under `tickets.calendars`; absent: every hour counts.
    public var calendar: String?
    /// When the warning fires, in percent of the target (default 80).
    public var warningPercent: Int
    public var targets: [Target]
    public var escalation: Escalation

    public init(
        name: String, calendar: String? = nil, warningPercent: Int = 80, targets: [Target], escalation: Escalation = Escalation()
    ) {
        self.name = name
        self.calendar = calendar
        self.warningPercent = warningPercent
        self.targets = targets
        self.escalation = escalation
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        calendar = try container.decodeIfPresent(String.self, forKey: .calendar)
        warningPercent = try container.decodeIfPresent(Int.self, forKey: .warningPercent) ?? 80
        targets = try container.decode([Target].self, forKey: .targets)
        escalation = try container.decodeIfPresent(Escalation.self, forKey: .escalation) ?? Escalation()
    }

    /// One row of targets.
    public struct Target: Sendable, Hashable, Codable {
        /// Applies to this priority only; absent: any.
        public var priority: TicketPriority?
        /// Applies to customers whose `tier` attribute is this; absent: any.
        public var tier: String?
        /// Applies to customers of at least this VIP level; absent: any.
        public var minVIPLevel: Int?
        public var firstResponseMinutes: Int?
        public var resolutionMinutes: Int?

        public init(
            priority: TicketPriority? = nil, tier: String? = nil, minVIPLevel: Int? = nil, firstResponseMinutes: Int?,
            resolutionMinutes: Int?
        ) {
            self.priority = priority
            self.tier = tier
            self.minVIPLevel = minVIPLevel
            self.firstResponseMinutes = firstResponseMinutes
            self.resolutionMinutes = resolutionMinutes
        }

        func applies(priority: TicketPriority, tier: String?, vipLevel: Int) -> Bool {
            (self.priority.map { $0 == priority } ?? true) && (self.tier.map { $0.caseInsensitiveCompare(tier ?? "") == .orderedSame } ?? true)
                && (minVIPLevel.map { vipLevel >= $0 } ?? true)
        }
    }

    /// What a breach does, besides being recorded.
    public struct Escalation: Sendable, Hashable, Codable {
        /// Raise the priority one step (P3 → P2).
        public var raisePriority: Bool
        /// Move the ticket to its group's escalation group, or to the group's lead.
        public var reassign: Bool

        public init(raisePriority: Bool = true, reassign: Bool = true) {
            self.raisePriority = raisePriority
            self.reassign = reassign
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            raisePriority = try container.decodeIfPresent(Bool.self, forKey: .raisePriority) ?? true
            reassign = try container.decodeIfPresent(Bool.self, forKey: .reassign) ?? true
        }
    }

    /// The first target row for a ticket of `priority` and a customer of `tier` / `vipLevel`.
    public func target(priority: TicketPriority, tier: String?, vipLevel: Int) -> Target? {
        targets.first { $0.applies(priority: priority, tier: tier, vipLevel: vipLevel) }
    }

    public func validate(path: String, calendars: Set<String>) throws(ValidationError) {
        try InboundContact.checkIdentifier(name, field: "\(path).name", maxBytes: 100)
        if let calendar, !calendars.contains(calendar) {
            throw ValidationError(field: "\(path).calendar", reason: "names no calendar '\(calendar)' under tickets.calendars")
        }
        guard (1...99).contains(warningPercent) else {
            throw ValidationError(field: "\(path).warningPercent", reason: "must be 1-99")
        }
        guard !targets.isEmpty else { throw ValidationError(field: "\(path).targets", reason: "must list at least one target") }
        for (index, target) in targets.enumerated() {
            let at = "\(path).targets[\(index)]"
            guard target.firstResponseMinutes != nil || target.resolutionMinutes != nil else {
                throw ValidationError(field: at, reason: "must give firstResponseMinutes, resolutionMinutes or both")
            }
            for (key, value) in [("firstResponseMinutes", target.firstResponseMinutes), ("resolutionMinutes", target.resolutionMinutes)] {
                if let value, !(1...5_256_000).contains(value) {
                    throw ValidationError(field: "\(at).\(key)", reason: "must be 1 to 5,256,000 minutes (10 years)")
                }
            }
            if let level = target.minVIPLevel, !(0...10).contains(level) {
                throw ValidationError(field: "\(at).minVIPLevel", reason: "must be 0-10")
            }
        }
    }
}

/// How a group takes tickets: `load` gives each new ticket to the available member with the
/// fewest active tickets; `pickup` leaves it unassigned in the group for a member to take.
public enum TicketAssignment: String, Sendable, Hashable, Codable, CaseIterable {
    case load, pickup
}

/// Ticket settings of one routing group.
public struct TicketGroupSettings: Sendable, Hashable, Codable {
    public var group: String
    public var assignment: TicketAssignment
    /// Where an SLA breach moves the ticket (its group's members are picked by load).
    public var escalationGroup: String?
    /// Who an SLA breach assigns the ticket to when there is no escalation group.
    public var lead: String?

    public init(group: String, assignment: TicketAssignment = .load, escalationGroup: String? = nil, lead: String? = nil) {
        self.group = group
        self.assignment = assignment
        self.escalationGroup = escalationGroup
        self.lead = lead
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        group = try container.decode(String.self, forKey: .group)
        assignment = try container.decodeIfPresent(TicketAssignment.self, forKey: .assignment) ?? .load
        escalationGroup = try container.decodeIfPresent(String.self, forKey: .escalationGroup)
        lead = try container.decodeIfPresent(String.self, forKey: .lead)
    }
}
