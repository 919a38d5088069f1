import Foundation
import SwitchboardCore
import SwitchboardTickets

/// The JSON shapes of the ticket API (field names are part of the contract; see
/// `docs/openapi.yaml`).
enum TicketResources {
    struct TicketResource: Encodable {
        var id: String
        var number: Int64
        var type: String
        var state: String
        var priority: String
        var group: String?
        var assignee: String?
        var subject: String
        var fields: [String: String]
        var customerId: String?
        var conversationIds: [String]
        var createdBy: String
        var linkedTicket: String?
        var sla: SLAResource
        var createdAt: Date
        var updatedAt: Date
        var firstRespondedAt: Date?
        var resolvedAt: Date?
        var closedAt: Date?
        var version: Int

        init(ticket: Ticket, desk: TicketDesk) {
            id = ticket.id.rawValue
            number = ticket.number
            type = ticket.type
            state = ticket.state.rawValue
            priority = ticket.priority.rawValue
            group = ticket.group
            assignee = ticket.assignee
            subject = ticket.subject
            fields = ticket.fields
            customerId = ticket.customerID?.rawValue
            conversationIds = ticket.conversationIDs.map(\.rawValue)
            createdBy = ticket.createdBy
            linkedTicket = ticket.linkedTicket?.rawValue
            sla = SLAResource(ticket: ticket, desk: desk)
            createdAt = ticket.createdAt
            updatedAt = ticket.updatedAt
            firstRespondedAt = ticket.firstRespondedAt
            resolvedAt = ticket.resolvedAt
            closedAt = ticket.closedAt
            version = ticket.version
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(number, forKey: .number)
            try container.encode(type, forKey: .type)
            try container.encode(state, forKey: .state)
            try container.encode(priority, forKey: .priority)
            // Unassigned is `null`, not a missing key.
            try container.encode(group, forKey: .group)
            try container.encode(assignee, forKey: .assignee)
            try container.encode(subject, forKey: .subject)
            try container.encode(fields, forKey: .fields)
            try container.encode(customerId, forKey: .customerId)
            try container.encode(conversationIds, forKey: .conversationIds)
            try container.encode(createdBy, forKey: .createdBy)
            try container.encode(linkedTicket, forKey: .linkedTicket)
            try container.encode(sla, forKey: .sla)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(updatedAt, forKey: .updatedAt)
            try container.encode(firstRespondedAt, forKey: .firstRespondedAt)
            try container.encode(resolvedAt, forKey: .resolvedAt)
            try container.encode(closedAt, forKey: .closedAt)
            try container.encode(version, forKey: .version)
        }

        enum CodingKeys: String, CodingKey {
            case id, number, type, state, priority, group, assignee, subject, fields, customerId, conversationIds, createdBy,
                linkedTicket, sla, createdAt, updatedAt, firstRespondedAt, resolvedAt, closedAt, version
        }
    }

    struct SLAResource: Encodable {
        var policy: String?
        var firstResponseDueAt: Date?
        var resolutionDueAt: Date?
        var firstResponseMetAt: Date?
        var resolutionMetAt: Date?
        var paused: Bool
        var warned: Bool
        var breached: Bool
        var fired: [String]

        init(ticket: Ticket, desk: TicketDesk) {
            policy = ticket.sla.policy
            firstResponseDueAt = desk.deadline(.firstResponse, of: ticket)
            resolutionDueAt = desk.deadline(.resolution, of: ticket)
            firstResponseMetAt = ticket.sla.firstResponse?.metAt
            resolutionMetAt = ticket.sla.resolution?.metAt
            paused = ticket.state == .pending
            warned = ticket.sla.warned
            breached = ticket.sla.breached
            fired = ticket.sla.fired.map(\.rawValue)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(policy, forKey: .policy)
            try container.encode(firstResponseDueAt, forKey: .firstResponseDueAt)
            try container.encode(resolutionDueAt, forKey: .resolutionDueAt)
            try container.encode(firstResponseMetAt, forKey: .firstResponseMetAt)
            try container.encode(resolutionMetAt, forKey: .resolutionMetAt)
            try container.encode(paused, forKey: .paused)
            try container.encode(warned, forKey: .warned)
            try container.encode(breached, forKey: .breached)
            try container.encode(fired, forKey: .fired)
        }

        enum CodingKeys: String, CodingKey {
            case policy, firstResponseDueAt, resolutionDueAt, firstResponseMetAt, resolutionMetAt, paused, warned, breached, fired
        }
    }

    struct HistoryResource: Encodable {
        var kind: String
        var actor: String
        var changes: [String: String]
        var note: String?
        var at: Date

        init(_ entry: TicketHistoryEntry) {
            kind = entry.kind
            actor = entry.actor
            changes = entry.changes
            note = entry.note
            at = entry.at
        }
    }

    struct CommentResource: Encodable {
        var id: String
        var author: String
        var text: String
        var visibility: String
        var messageId: String?
        var createdAt: Date

        init(_ comment: TicketComment) {
            id = comment.id
            author = comment.author
            text = comment.text
            visibility = comment.isPublic ? "public" : "internal"
            messageId = comment.messageID?.rawValue
            createdAt = comment.createdAt
        }
    }

    struct CreateRequest: Decodable {
        var type: String?
        var subject: String?
        var priority: TicketPriority?
        var group: String?
        var assignee: String?
        var fields: [String: TicketType.FieldValue]?
        var customerId: String?
        var conversationId: String?
        var note: String?
    }

    struct PatchRequest: Decodable {
        var priority: TicketPriority?
        var subject: String?
        var fields: [String: TicketType.FieldValue]?
    }

    struct TransitionRequest: Decodable {
        var transition: TicketTransition
        var note: String?
    }

    struct AssignRequest: Decodable {
        var assignee: String?
        var group: String?
        var note: String?
    }

    struct CommentRequest: Decodable {
        var text: String
        /// `public` (sent to the customer) or `internal` (default).
        var visibility: String?
        var author: String?
    }

    struct EscalateRequest: Decodable {
        var note: String?
        var type: String?
        var priority: TicketPriority?
        var group: String?
    }

    struct List<Item: Encodable>: Encodable {
        var items: [Item]
    }

    struct Definitions<Item: Encodable>: Encodable {
        var items: [Item]
        /// `configuration` (read-only here) or `api`.
        var source: String
    }
}
