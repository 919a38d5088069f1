import Foundation
import SwitchboardCore
import SwitchboardTickets
import Testing

@testable import SwitchboardStoreSQLite

/// The store hands back a saved ticket without reading its body again; this checks that what it
/// hands back is exactly what a read decodes, for every date a ticket holds.
@Suite("Ticket body coding")
struct TicketCodingTests {
    @Test("a ticket as stored equals its body decoded, to the bit, for awkward times")
    func storedMatchesDecoded() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            func time() -> Date {
                // Times with sub-millisecond parts, around now and far out, the kind Date() gives.
                Date(timeIntervalSince1970: Double.random(in: 0...4_000_000_000, using: &generator))
            }
            var first = SLAClock(target: 3600, startedAt: time())
            first.metAt = time()
            first.consumed = Double.random(in: 0...100_000, using: &generator)
            var ticket = Ticket(
                type: "general", priority: .p2, group: "support", assignee: "alice", customerID: CustomerID("c"), subject: "s",
                fields: ["a": "b"], conversationIDs: [ConversationID("v")], createdBy: "api",
                sla: TicketSLA(policy: "p", firstResponse: first, resolution: SLAClock(target: 7200, startedAt: time())),
                createdAt: time())
            ticket.updatedAt = time()
            ticket.firstRespondedAt = time()
            ticket.resolvedAt = time()
            ticket.closedAt = time()
            let decoded = try #require(SQLiteCoding.ticket(body: try SQLiteCoding.ticketBody(ticket)))
            #expect(SQLiteCoding.stored(ticket) == decoded)
            if SQLiteCoding.stored(ticket) != decoded { break }
        }
    }

    @Test("bodies written with the earlier encoder's milliseconds read the same")
    func earlierBodies() throws {
        let earlier = JSONEncoder()
        earlier.outputFormatting = [.sortedKeys]
        earlier.dateEncodingStrategy = .millisecondsSince1970
        let ticket = Ticket(
            type: "general", priority: .p3, group: nil, assignee: nil, customerID: nil, subject: "s", fields: [:], conversationIDs: [],
            createdBy: "api", sla: .none, createdAt: Date(timeIntervalSince1970: 1_790_000_000.123))
        let body = String(decoding: try earlier.encode(ticket), as: UTF8.self)
        let decoded = try #require(SQLiteCoding.ticket(body: body))
        #expect(abs(decoded.createdAt.timeIntervalSince(ticket.createdAt)) < 0.000_001)
    }
}
