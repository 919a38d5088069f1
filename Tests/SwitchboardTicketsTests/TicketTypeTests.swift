import Foundation
import SwitchboardCore
import Testing

@testable import SwitchboardTickets

/// Ticket templates: required and typed fields refused with the field's name.
@Suite("Ticket types and field validation")
struct TicketTypeTests {
    let refund = TicketType(
        name: "Refund",
        fields: [
            .init(name: "orderNumber", kind: .text, required: true),
            .init(name: "amount", kind: .number, required: true),
            .init(name: "reason", kind: .choice, choices: ["damaged", "late", "other"]),
            .init(name: "purchased", kind: .date),
            .init(name: "tier", kind: .customerAttribute, required: true, attribute: "tier"),
        ], defaultPriority: .p2, defaultGroup: "billing")

    func error(_ given: [String: TicketType.FieldValue], attributes: [String: String] = ["tier": "gold"]) -> ValidationError? {
        do throws(ValidationError) {
            _ = try refund.fieldValues(given, customerAttributes: attributes)
            return nil
        } catch {
            return error
        }
    }

    @Test("valid values are normalized; the customer attribute is copied in")
    func valid() throws {
        let values = try refund.fieldValues(
            ["orderNumber": .text("A-1042"), "amount": .number(19), "reason": .text("late"), "purchased": .text("2026-11-02")],
            customerAttributes: ["tier": "gold"])
        #expect(values == ["orderNumber": "A-1042", "amount": "19", "reason": "late", "purchased": "2026-11-02", "tier": "gold"])
        #expect(try refund.fieldValues(["orderNumber": .text("x"), "amount": .number(2.5)], customerAttributes: ["tier": "s"])["amount"] == "2.5")
    }

    @Test("each mistake names its field", arguments: [
        ([:] as [String: TicketType.FieldValue], "fields.orderNumber", "is required"),
        (["orderNumber": .text("A"), "amount": .text("19")], "fields.amount", "must be a number"),
        (["orderNumber": .text("A"), "amount": .number(1), "reason": .text("bored")], "fields.reason", "must be one of damaged, late, other"),
        (["orderNumber": .text("A"), "amount": .number(1), "purchased": .text("2026-02-30")], "fields.purchased", "must be a date YYYY-MM-DD"),
        (["orderNumber": .text("  "), "amount": .number(1)], "fields.orderNumber", "must be non-empty text"),
        (["orderNumber": .text("A"), "amount": .number(1), "colour": .text("red")], "fields.colour", "is not a field of ticket type 'Refund'"),
        (["orderNumber": .text("A"), "amount": .number(1), "tier": .text("gold")], "fields.tier", "comes from the customer's 'tier' attribute"),
    ])
    func mistakes(_ given: [String: TicketType.FieldValue], _ field: String, _ reason: String) {
        let found = error(given)
        #expect(found?.field == field && found?.reason.hasPrefix(reason) == true, "\(String(describing: found))")
        #expect(found?.httpStatus == 400)
    }

    @Test("a required customer attribute the customer lacks is named")
    func missingAttribute() {
        let found = error(["orderNumber": .text("A"), "amount": .number(1)], attributes: [:])
        #expect(found?.field == "fields.tier" && found?.reason.contains("no 'tier' attribute") == true)
    }

    @Test("field values decode from JSON strings, numbers and booleans")
    func decoding() throws {
        let decoded = try JSONDecoder().decode([String: TicketType.FieldValue].self, from: Data(#"{"a":"x","b":3,"c":true}"#.utf8))
        #expect(decoded == ["a": .text("x"), "b": .number(3), "c": .flag(true)])
    }

    @Test("type definitions are checked: choices, attribute, duplicate and bad names")
    func definitions() throws {
        try refund.validate()
        let broken: [(TicketType, String)] = [
            (TicketType(name: "X", fields: [.init(name: "r", kind: .choice)]), "ticketType.fields[0].choices"),
            (TicketType(name: "X", fields: [.init(name: "t", kind: .customerAttribute)]), "ticketType.fields[0].attribute"),
            (TicketType(name: "X", fields: [.init(name: "a", kind: .text), .init(name: "a", kind: .number)]), "ticketType.fields[1].name"),
            (TicketType(name: "X", fields: [.init(name: "bad name", kind: .text)]), "ticketType.fields[0].name"),
            (TicketType(name: " "), "ticketType.name"),
        ]
        for (type, field) in broken {
            #expect(throws: ValidationError.self) { try type.validate() }
            do { try type.validate() } catch { #expect(error.field == field, "\(error)") }
        }
        #expect(TicketPriority.p3.raised == .p2 && TicketPriority.p1.raised == .p1 && TicketPriority.p1 < .p4)
    }
}
