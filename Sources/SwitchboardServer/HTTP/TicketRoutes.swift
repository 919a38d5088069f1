import Foundation
import Hummingbird
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore
import SwitchboardTickets

/// The ticket API under `/api/v1`: tickets (list, search, open, edit, comment, transition,
/// assign, history), escalating a conversation to a ticket, and the ticket types and generator
/// rules. Reads need `integration`, work on tickets `agent`, definitions `admin`.
struct TicketRoutes: Sendable {
    let service: TicketService
    let authenticator: Authenticator
    let outbound: OutboundChannels
    let replyQueued: @Sendable () -> Void
    /// Whether types / rules come from the configuration file (then the API shows them read-only).
    let typesFromConfiguration: Bool
    let rulesFromConfiguration: Bool
    let defaultRules: Bool
    let maxBodyBytes: Int

    var store: any GatewayStore { service.store }

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("api/v1")
        api.get("tickets") { request, _ in try await list(request) }
        api.post("tickets") { request, _ in try await create(request) }
        api.get("tickets/:id") { request, context in
            try await authenticator.require(.integration, request)
            return respond(200, try await find(context))
        }
        api.patch("tickets/:id") { request, context in
            let caller = try await authenticator.require(.agent, request)
            let body = try await request.decodeJSON(TicketResources.PatchRequest.self, limit: maxBodyBytes)
            let ticket = try await find(context)
            let updated = try await service.update(ticket.id, actor: caller.name) { desk, ticket in
                try desk.edit(ticket, TicketEdit(priority: body.priority, subject: body.subject, fields: body.fields), actor: caller.name, at: Date())
            }
            return respond(200, updated)
        }
        api.post("tickets/:id/transition") { request, context in
            let caller = try await authenticator.require(.agent, request)
            let body = try await request.decodeJSON(TicketResources.TransitionRequest.self, limit: maxBodyBytes)
            let ticket = try await find(context)
            let note = try Self.note(body.note)
            do {
                let updated = try await service.update(ticket.id, actor: caller.name) { desk, ticket in
                    try desk.transition(ticket, body.transition, actor: caller.name, note: note, at: Date())
                }
                return respond(200, updated)
            } catch let error as TicketTransitionError {
                throw APIError(409, error.description)
            }
        }
        api.post("tickets/:id/assign") { request, context in try await assign(request, context) }
        api.post("tickets/:id/comments") { request, context in try await comment(request, context) }
        api.get("tickets/:id/comments") { request, context in
            try await authenticator.require(.integration, request)
            let ticket = try await find(context)
            return HTTPResponses.json(
                200, TicketResources.List(items: try await store.ticketComments(ticket.id).map(TicketResources.CommentResource.init)))
        }
        api.get("tickets/:id/history") { request, context in
            try await authenticator.require(.integration, request)
            let ticket = try await find(context)
            return HTTPResponses.json(
                200, TicketResources.List(items: try await store.ticketHistory(ticket.id).map(TicketResources.HistoryResource.init)))
        }
        api.post("conversations/:id/escalate") { request, context in try await escalate(request, context) }
        api.get("conversations/:id/tickets") { request, context in
            try await authenticator.require(.integration, request)
            let detail = try await store.findConversation(try context.parameters.require("id"))
            let tickets = try await store.tickets(forConversations: [detail.conversation.id])[detail.conversation.id] ?? []
            let desk = service.currentDesk
            return HTTPResponses.json(200, TicketResources.List(items: tickets.map { TicketResources.TicketResource(ticket: $0, desk: desk) }))
        }
        api.get("ticket-types") { request, _ in
            try await authenticator.require(.integration, request)
            let types = service.currentDesk.settings.types.values.sorted { $0.name < $1.name }
            return HTTPResponses.json(
                200, TicketResources.Definitions(items: types, source: typesFromConfiguration ? "configuration" : "api"))
        }
        api.put("ticket-types") { request, _ in try await putTypes(request) }
        api.get("ticket-rules") { request, _ in
            try await authenticator.require(.integration, request)
            return HTTPResponses.json(
                200,
                TicketResources.Definitions(
                    items: service.currentDesk.settings.rules, source: rulesFromConfiguration ? "configuration" : "api"))
        }
        api.put("ticket-rules") { request, _ in try await putRules(request) }
    }

    private func respond(_ status: Int, _ ticket: Ticket) -> Response {
        HTTPResponses.json(status, TicketResources.TicketResource(ticket: ticket, desk: service.currentDesk))
    }

    /// A ticket by id or number (`1042` or `#1042`).
    private func find(_ context: BasicRequestContext) async throws -> Ticket {
        let key = try context.parameters.require("id")
        let trimmed = key.hasPrefix("#") ? String(key.dropFirst()) : key
        if let number = Int64(trimmed), let ticket = try await store.ticket(number: number) { return ticket }
        if let ticket = try await store.ticket(TicketID(key)) { return ticket }
        throw APIError.notFound("ticket \(key) not found")
    }

    private static func note(_ note: String?) throws -> String? {
        guard let note, !note.isEmpty else { return nil }
        guard note.utf8.count <= 10_000 else { throw APIError.badRequest("note must be at most 10,000 bytes", field: "note") }
        return note
    }

    private func list(_ request: Request) async throws -> Response {
        try await authenticator.require(.integration, request)
        let parameters = request.uri.queryParameters
        var query = TicketQuery()
        if let text = parameters.get("state") {
            var states: [TicketState] = []
            for name in text.split(separator: ",") {
                guard let state = TicketState(rawValue: String(name)) else {
                    throw APIError.badRequest(
                        "state must be one or more of \(TicketState.allCases.map(\.rawValue).joined(separator: ", ")), comma-separated",
                        field: "state")
                }
                states.append(state)
            }
            query.states = states
        }
        query.group = parameters.get("group")
        query.assignee = parameters.get("assignee")
        if let text = parameters.get("priority") {
            guard let priority = TicketPriority(rawValue: text.uppercased()) else {
                throw APIError.badRequest("priority must be P1, P2, P3 or P4", field: "priority")
            }
            query.priority = priority
        }
        if let text = parameters.get("breached") {
            guard let breached = Bool(text) else { throw APIError.badRequest("breached must be true or false", field: "breached") }
            query.breached = breached
        }
        if let text = parameters.get("dueBefore") {
            guard let date = ISO8601.parse(text) else {
                throw APIError.badRequest("dueBefore must be an ISO 8601 time (2026-11-23T18:00:00Z)", field: "dueBefore")
            }
            query.dueBefore = date
        }
        if let text = parameters.get("q"), !text.isEmpty {
            guard text.utf8.count <= 200 else { throw APIError.badRequest("q must be at most 200 bytes", field: "q") }
            query.text = text
        }
        if let customer = parameters.get("customer") { query.customerID = CustomerID(customer) }
        let listing = try ListingParameters(request)
        query.limit = listing.limit ?? query.limit
        query.before = listing.before
        let page = try await store.tickets(query)
        let desk = service.currentDesk
        return HTTPResponses.json(
            200,
            APIResources.Page(
                items: page.items.map { TicketResources.TicketResource(ticket: $0, desk: desk) },
                nextCursor: page.nextCursor.map(String.init)))
    }

    private func create(_ request: Request) async throws -> Response {
        let caller = try await authenticator.require(.agent, request)
        let body = try await request.decodeJSON(TicketResources.CreateRequest.self, limit: maxBodyBytes)
        var draft = TicketDraft(
            type: body.type ?? "general", priority: body.priority, group: body.group, assignee: body.assignee, subject: body.subject,
            fields: body.fields ?? [:], createdBy: "api", note: try Self.note(body.note))
        if let group = body.group { try await requireGroup(group, field: "group") }
        if let assignee = body.assignee { try await requireAgent(assignee, field: "assignee") }
        var customerID = body.customerId.map { CustomerID($0) }
        if let key = body.conversationId {
            let detail = try await findConversation(key, field: "conversationId")
            draft.conversationIDs = [detail.conversation.id]
            if let given = customerID, given != detail.conversation.customerID {
                throw APIError.badRequest("is not the customer of conversation \(key)", field: "customerId")
            }
            customerID = detail.conversation.customerID
        }
        if let customerID {
            guard let customer = try await store.ticketCustomer(customerID) else {
                throw APIError.badRequest("names no customer '\(customerID)'", field: "customerId")
            }
            draft.customerID = customer.id
            draft.customerAttributes = customer.attributes
            draft.vipLevel = customer.vipLevel
        }
        let ticket = try await service.open(draft, actor: caller.name)
        return respond(201, ticket)
    }

    private func assign(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let caller = try await authenticator.require(.agent, request)
        let body = try await request.decodeJSON(TicketResources.AssignRequest.self, limit: maxBodyBytes)
        guard body.assignee != nil || body.group != nil else {
            throw APIError.badRequest("give an assignee, a group or both", field: "assignee")
        }
        if let assignee = body.assignee { try await requireAgent(assignee, field: "assignee") }
        if let group = body.group { try await requireGroup(group, field: "group") }
        let note = try Self.note(body.note)
        let ticket = try await find(context)
        let updated = try await service.update(ticket.id, actor: caller.name) { desk, ticket in
            desk.assign(ticket, to: body.assignee, group: body.group, actor: caller.name, note: note, at: Date())
        }
        return respond(200, updated)
    }

    private func comment(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let caller = try await authenticator.require(.agent, request)
        let body = try await request.decodeJSON(TicketResources.CommentRequest.self, limit: maxBodyBytes)
        let text = body.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, body.text.utf8.count <= 100_000 else {
            throw APIError.badRequest("text must be 1 to 100,000 bytes", field: "text")
        }
        let visibility = body.visibility ?? "internal"
        guard visibility == "public" || visibility == "internal" else {
            throw APIError.badRequest("visibility must be public or internal", field: "visibility")
        }
        let ticket = try await find(context)
        let author = body.author ?? caller.name
        let now = Date()
        var reply: AgentReply?
        if visibility == "public" {
            guard let conversation = ticket.conversationIDs.last else {
                throw APIError(409, "the ticket has no conversation to send a public comment through; add an internal note instead")
            }
            let detail = try await store.findConversation(conversation.rawValue)
            let channel = detail.conversation.channelID
            let deliver = outbound.canDeliver(channel)
            let identity = outbound.newReply(on: channel)
            reply = AgentReply(
                messageID: identity.id, conversationID: conversation, author: author, text: body.text, html: nil, createdAt: now,
                deliver: deliver, externalID: deliver ? identity.externalID : nil)
        }
        let comment = TicketComment(
            ticketID: ticket.id, author: author, text: body.text, isPublic: reply != nil, messageID: reply?.messageID, createdAt: now)
        _ = try await service.update(ticket.id, actor: caller.name, reply: reply) { desk, ticket in
            desk.comment(ticket, comment, at: now)
        }
        if reply?.deliver == true { replyQueued() }
        return HTTPResponses.json(201, TicketResources.CommentResource(comment))
    }

    private func escalate(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let caller = try await authenticator.require(.agent, request)
        let body = try await request.decodeJSON(TicketResources.EscalateRequest.self, limit: maxBodyBytes)
        let detail = try await store.findConversation(try context.parameters.require("id"))
        if let group = body.group { try await requireGroup(group, field: "group") }
        let existing = try await store.tickets(forConversations: [detail.conversation.id])[detail.conversation.id] ?? []
        if let active = existing.first(where: \.isActive) { return respond(200, active) }
        guard let facts = try await store.ticketFacts(for: [detail.conversation.id])[detail.conversation.id] else {
            throw APIError.notFound("conversation \(detail.conversation.id) not found")
        }
        let desk = service.currentDesk
        let rule = desk.settings.rules.first { $0.matches(facts, trigger: .escalated) }
        var draft = TicketGenerator.draft(
            rule ?? TicketRule(name: "agent-escalation", on: .escalated, then: .init(type: "escalation")), facts: facts)
        if let type = body.type { draft.type = type }
        if let priority = body.priority { draft.priority = priority }
        if let group = body.group { draft.group = group }
        draft.note = try Self.note(body.note)
        let ticket = try await service.open(draft, actor: caller.name)
        return respond(201, ticket)
    }

    private func putTypes(_ request: Request) async throws -> Response {
        try await authenticator.require(.admin, request)
        guard !typesFromConfiguration else {
            throw APIError(409, "ticket types are set in the configuration file (tickets.types); change them there")
        }
        let types = try await request.decodeJSON([TicketType].self, limit: maxBodyBytes)
        var names: Set<String> = []
        for (index, type) in types.enumerated() {
            try type.validate(field: "[\(index)]")
            guard names.insert(type.name).inserted else {
                throw APIError.badRequest("repeats the type name '\(type.name)'", field: "[\(index)].name")
            }
            if let policy = type.slaPolicy, service.currentDesk.settings.policies[policy] == nil {
                throw APIError.badRequest("names no SLA policy '\(policy)'", field: "[\(index)].slaPolicy")
            }
        }
        let known = Set(TicketSettings.builtInTypes.map(\.name)).union(names)
        for rule in service.currentDesk.settings.rules where !known.contains(rule.then.type) {
            throw APIError(409, "generator rule '\(rule.name)' opens tickets of type '\(rule.then.type)'; keep that type or change the rule first")
        }
        try await store.saveTicketTypes(types)
        service.updateSettings { settings in settings = settings.replacingTypes(types) }
        let all = service.currentDesk.settings.types.values.sorted { $0.name < $1.name }
        return HTTPResponses.json(200, TicketResources.Definitions(items: all, source: "api"))
    }

    private func putRules(_ request: Request) async throws -> Response {
        try await authenticator.require(.admin, request)
        guard !rulesFromConfiguration else {
            throw APIError(409, "ticket rules are set in the configuration file (tickets.rules); change them there")
        }
        let rules = try await request.decodeJSON([TicketRule].self, limit: maxBodyBytes)
        try TicketRule.validate(rules, types: Set(service.currentDesk.settings.types.keys), path: "")
        try await store.saveTicketRules(rules)
        let defaults = defaultRules
        service.updateSettings { settings in settings.rules = rules + (defaults ? TicketRule.defaults : []) }
        return HTTPResponses.json(200, TicketResources.Definitions(items: service.currentDesk.settings.rules, source: "api"))
    }

    private func requireAgent(_ name: String, field: String) async throws {
        guard AgentID.isValid(name), await service.routing.agent(AgentID(name)) != nil else {
            throw APIError.badRequest("names no agent '\(name)'", field: field)
        }
    }

    private func requireGroup(_ name: String, field: String) async throws {
        guard GroupID.isValid(name), await service.routing.group(GroupID(name)) != nil else {
            throw APIError.badRequest("names no group '\(name)'", field: field)
        }
    }

    private func findConversation(_ key: String, field: String) async throws -> ConversationDetail {
        do {
            return try await store.findConversation(key)
        } catch let error as APIError where error.httpStatus == 404 {
            throw APIError.badRequest("names no conversation '\(key)'", field: field)
        }
    }
}
