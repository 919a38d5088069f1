import Foundation
import SwitchboardCore
import Testing

@testable import SwitchboardTickets

/// Generator rules: each built-in default, conditions, field sources, validation.
@Suite("Ticket generator rules")
struct TicketRuleTests {
    static func facts(
        kind: String = "webchat", text: String? = "hello", subject: String? = nil, attributes: [String: String] = [:],
        contact: [String: String] = [:], botFailures: Int = 0, vip: Int = 0
    ) -> TicketFacts {
        TicketFacts(
            conversationID: ConversationID("c1"), customerID: CustomerID("u1"), channelID: "\(kind)-1", channelKind: kind, text: text,
            subject: subject, customerName: "Wang Fang", customerAttributes: attributes, vipLevel: vip, contactAttributes: contact,
            botFailures: botFailures)
    }

    static func first(_ facts: TicketFacts, _ trigger: TicketTrigger, rules: [TicketRule] = TicketRule.defaults) -> String? {
        rules.first { $0.matches(facts, trigger: trigger) }?.name
    }

    @Test("every new email thread opens a ticket; a later email or a new chat does not")
    func emailThread() {
        #expect(Self.first(Self.facts(kind: "email"), .newConversation) == "email-new-thread")
        #expect(Self.first(Self.facts(kind: "email"), .contact) == nil)
        #expect(Self.first(Self.facts(kind: "webchat"), .newConversation) == nil)
    }

    @Test("a missed or abandoned call opens a call-back ticket, new conversation or not; an answered one does not")
    func missedCall() {
        #expect(Self.first(Self.facts(kind: "phone", contact: ["disposition": "missed"]), .newConversation) == "missed-call")
        #expect(Self.first(Self.facts(kind: "phone", contact: ["disposition": "ABANDONED"]), .contact) == "missed-call")
        #expect(Self.first(Self.facts(kind: "phone", contact: ["disposition": "answered"]), .contact) == nil)
        #expect(Self.first(Self.facts(kind: "phone"), .contact) == nil)
    }

    @Test("the bot failing twice opens a ticket, once is not enough")
    func botFailures() {
        #expect(Self.first(Self.facts(botFailures: 1), .botFailed) == nil)
        #expect(Self.first(Self.facts(botFailures: 2), .botFailed) == "bot-failed-twice")
    }

    @Test("an agent's escalation matches the escalation rule only")
    func escalation() {
        #expect(Self.first(Self.facts(), .escalated) == "agent-escalation")
        #expect(Self.first(Self.facts(kind: "email"), .escalated) == "agent-escalation")
    }

    @Test("configured conditions: keywords in text or subject, customer attributes, VIP level, channels")
    func conditions() {
        let refund = TicketRule(
            name: "refunds", on: .contact,
            when: .init(channelKinds: ["webchat", "email"], keywords: ["refund", "退款"], customerAttributes: ["plan": "pro"], minVIPLevel: 2),
            then: .init(type: "general", priority: .p2, fields: ["body": "text", "who": "customer.name", "page": "contact.page"]))
        let rules = [refund] + TicketRule.defaults
        let matching = Self.facts(text: "我要退款", attributes: ["plan": "PRO"], contact: ["page": "/pricing"], vip: 3)
        #expect(Self.first(matching, .contact, rules: rules) == "refunds")
        #expect(Self.first(Self.facts(subject: "Refund please", attributes: ["plan": "pro"], vip: 2), .newConversation, rules: rules) == "refunds")
        #expect(Self.first(Self.facts(text: "refund", attributes: ["plan": "free"], vip: 3), .contact, rules: rules) == nil)
        #expect(Self.first(Self.facts(text: "refund", attributes: ["plan": "pro"], vip: 1), .contact, rules: rules) == nil)
        #expect(Self.first(Self.facts(kind: "phone", text: "refund", attributes: ["plan": "pro"], vip: 3), .contact, rules: rules) == nil)
        #expect(refund.fieldValues(matching) == ["body": .text("我要退款"), "who": .text("Wang Fang"), "page": .text("/pricing")])
    }

    @Test("validation names the field: unknown type, unknown source, duplicate names, bot condition without botFailed")
    func validation() {
        let types: Set<String> = ["general"]
        #expect(throws: ValidationError(field: "rules[0].then.type", reason: "names no ticket type 'nope'")) {
            try TicketRule.validate([TicketRule(name: "a", on: .contact, then: .init(type: "nope"))], types: types)
        }
        #expect(throws: ValidationError.self) {
            try TicketRule.validate([TicketRule(name: "a", on: .contact, then: .init(type: "general", fields: ["x": "body"]))], types: types)
        }
        #expect(throws: ValidationError(field: "rules[1].name", reason: "repeats the rule name 'a'")) {
            try TicketRule.validate(
                [TicketRule(name: "a", on: .contact, then: .init(type: "general")), TicketRule(name: "a", on: .contact, then: .init(type: "general"))],
                types: types)
        }
        #expect(throws: ValidationError(field: "rules[0].when.minBotFailures", reason: "applies only to rules with on: botFailed")) {
            try TicketRule.validate([TicketRule(name: "a", on: .contact, when: .init(minBotFailures: 2), then: .init(type: "general"))], types: types)
        }
    }

    @Test("rules decode from configuration JSON with defaults (on: newConversation)")
    func decoding() throws {
        let json = #"{"name": "vip", "when": {"minVIPLevel": 5}, "then": {"type": "general", "priority": "P1"}}"#
        let rule = try JSONDecoder().decode(TicketRule.self, from: Data(json.utf8))
        #expect(rule.on == .newConversation && rule.then.priority == .p1 && rule.when.minVIPLevel == 5)
    }
}
