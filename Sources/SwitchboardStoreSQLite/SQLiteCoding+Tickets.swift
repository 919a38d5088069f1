import Foundation
import SwitchboardTickets

/// How a ticket's JSON body is written and read.
///
/// Dates are milliseconds since 1970 as a JSON number (what the reports' `json_extract` reads),
/// with the arithmetic spelled out here rather than left to the encoder's strategy, so that
/// ``stored(_:)`` can give exactly the ticket a later read decodes without decoding the body it
/// just wrote (that decode was a third of the cost of writing a ticket). A JSON number holds a
/// `Double` exactly (Swift prints the shortest text that reads back to the same value), so only
/// the two conversions below can change a date, and ``stored(_:)`` applies the same two.
extension SQLiteCoding {
    static func ticketMilliseconds(_ date: Date) -> Double { date.timeIntervalSince1970 * 1000 }
    static func ticketDate(_ milliseconds: Double) -> Date { Date(timeIntervalSince1970: milliseconds / 1000) }

    static let ticketEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ticketMilliseconds(date))
        }
        return encoder
    }()

    static let ticketDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            ticketDate(try decoder.singleValueContainer().decode(Double.self))
        }
        return decoder
    }()

    static func ticketBody(_ ticket: Ticket) throws -> String {
        String(decoding: try ticketEncoder.encode(ticket), as: UTF8.self)
    }

    static func ticket(body: String) -> Ticket? {
        try? ticketDecoder.decode(Ticket.self, from: Data(body.utf8))
    }

    /// The ticket as reading its body back gives it: every date through the same two
    /// conversions. Every `Date` a ticket holds must be listed here; a test compares this with a
    /// real decode of a ticket with all of them set.
    static func stored(_ ticket: Ticket) -> Ticket {
        func round(_ date: Date) -> Date { ticketDate(ticketMilliseconds(date)) }
        func round(_ clock: SLAClock?) -> SLAClock? {
            guard var clock else { return nil }
            clock.runningSince = clock.runningSince.map(round)
            clock.metAt = clock.metAt.map(round)
            return clock
        }
        var ticket = ticket
        ticket.createdAt = round(ticket.createdAt)
        ticket.updatedAt = round(ticket.updatedAt)
        ticket.firstRespondedAt = ticket.firstRespondedAt.map(round)
        ticket.resolvedAt = ticket.resolvedAt.map(round)
        ticket.closedAt = ticket.closedAt.map(round)
        ticket.sla.firstResponse = round(ticket.sla.firstResponse)
        ticket.sla.resolution = round(ticket.sla.resolution)
        return ticket
    }
}
