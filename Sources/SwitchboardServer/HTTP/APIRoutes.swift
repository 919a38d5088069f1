import Foundation
import Hummingbird
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore

/// The REST API under `/api/v1`: conversations, customers, attachments. Every route needs a
/// bearer token; reads need `integration`, agent actions `agent`, merges `admin`.
struct APIRoutes: Sendable {
    let store: any GatewayStore
    let blobs: any BlobStore
    let routing: RoutingEngine
    let authenticator: Authenticator
    let outbound: OutboundChannels
    let replyQueued: @Sendable () -> Void
    /// Largest accepted JSON body for API writes (attachments are base64 inside).
    let maxBodyBytes: Int

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("api/v1")
        api.get("conversations") { request, _ in try await listConversations(request) }
        api.get("conversations/:id") { request, context in
            try await authenticator.require(.integration, request)
            let detail = try await store.findConversation(try context.parameters.require("id"))
            return HTTPResponses.json(200, APIResources.ConversationResource(conversation: detail.conversation, messages: detail.messages))
        }
        api.post("conversations/:id/messages") { request, context in
            try await reply(request, id: try context.parameters.require("id"))
        }
        api.post("conversations/:id/close") { request, context in
            try await authenticator.require(.agent, request)
            let detail = try await store.findConversation(try context.parameters.require("id"))
            let closed = try await store.close(detail.conversation.id, at: Date())
            // Frees the agent's capacity (the queue drains to them) or takes it out of its queue.
            _ = try await routing.release(closed.id)
            return HTTPResponses.json(200, APIResources.ConversationResource(conversation: closed, messages: nil))
        }
        api.get("customers/:id") { request, context in
            try await authenticator.require(.integration, request)
            let id = try context.parameters.require("id")
            guard let detail = try await store.customer(CustomerID(id)) else { throw APIError.notFound("customer \(id) not found") }
            return HTTPResponses.json(200, APIResources.CustomerResource(detail: detail))
        }
        api.patch("customers/:id") { request, context in
            try await authenticator.require(.agent, request)
            let change = try await APIResources.CustomerPatch.decode(from: request, limit: maxBodyBytes)
            let updated = try await store.updateCustomer(CustomerID(try context.parameters.require("id")), change, at: Date())
            return HTTPResponses.json(200, APIResources.CustomerResource(detail: updated))
        }
        api.post("customers/:id/merge") { request, context in
            try await authenticator.require(.admin, request)
            let body = try await request.decodeJSON(APIResources.MergeRequest.self, limit: maxBodyBytes)
            let target = CustomerID(try context.parameters.require("id"))
            let merged = try await store.merge(CustomerID(body.customerId), into: target, at: Date())
            return HTTPResponses.json(200, APIResources.CustomerResource(detail: merged))
        }
        api.get("attachments/:sha256") { request, context in
            try await authenticator.require(.integration, request)
            let digest = try context.parameters.require("sha256")
            guard let data = try blobs.get(digest) else { throw APIError.notFound("attachment \(digest) not found") }
            // Never rendered inline: a sender-declared type cannot make us serve active content.
            return HTTPResponses.raw(
                200, body: data,
                headers: [
                    (name: "Content-Type", value: "application/octet-stream"),
                    (name: "Content-Disposition", value: "attachment; filename=\"\(digest)\""),
                    (name: "X-Content-Type-Options", value: "nosniff"),
                    (name: "Content-Security-Policy", value: "sandbox"),
                ])
        }
    }

    private func listConversations(_ request: Request) async throws -> Response {
        try await authenticator.require(.integration, request)
        let parameters = request.uri.queryParameters
        var query = ConversationQuery()
        if let status = parameters.get("status") {
            guard let value = ConversationStatus(rawValue: status) else {
                throw APIError.badRequest(
                    "status must be one of \(ConversationStatus.allCases.map(\.rawValue).joined(separator: ", "))",
                    field: "status")
            }
            query.status = value
        }
        if let customer = parameters.get("customer") { query.customerID = CustomerID(customer) }
        let listing = try ListingParameters(request)
        query.channelID = listing.channel
        query.limit = listing.limit ?? query.limit
        query.before = listing.before
        let page = try await store.conversations(query)
        return HTTPResponses.json(
            200,
            APIResources.Page(
                items: page.items.map { APIResources.ConversationResource(conversation: $0, messages: nil) },
                nextCursor: page.nextCursor.map(String.init)))
    }

    private func reply(_ request: Request, id: String) async throws -> Response {
        let caller = try await authenticator.require(.agent, request)
        let body = try await request.decodeJSON(APIResources.ReplyRequest.self, limit: maxBodyBytes)
        let text = body.text.flatMap { $0.isEmpty ? nil : $0 }
        let html = body.html.flatMap { $0.isEmpty ? nil : $0 }
        let links = try ReplyLinks.cards(body.links)
        guard text != nil || html != nil || !(body.attachments ?? []).isEmpty || !links.isEmpty else {
            throw APIError.badRequest("text is required when there is no html, attachment or link", field: "text")
        }
        let detail = try await store.findConversation(id)
        var attachments: [Attachment] = []
        for (index, attachment) in (body.attachments ?? []).enumerated() {
            guard let data = Data(base64Encoded: attachment.data), !data.isEmpty else {
                throw APIError.badRequest("attachments[\(index)].data is not non-empty base64", field: "attachments[\(index)].data")
            }
            let digest = try blobs.put(data)
            attachments.append(
                Attachment(
                    sha256: digest, size: data.count, name: attachment.name,
                    contentType: attachment.contentType ?? "application/octet-stream"))
        }
        let deliver = outbound.canDeliver(detail.conversation.channelID)
        let identity = outbound.newReply(on: detail.conversation.channelID)
        let message = try await store.appendReply(
            AgentReply(
                messageID: identity.id, conversationID: detail.conversation.id, author: body.author ?? caller.name, text: text,
                html: html, attachments: attachments, links: links, createdAt: Date(), deliver: deliver,
                externalID: deliver ? identity.externalID : nil))
        if deliver { replyQueued() }
        return HTTPResponses.json(201, APIResources.MessageResource(message: message))
    }
}

/// `channel`, `limit` (1-500) and `cursor` of a listing, checked once for every listing route.
struct ListingParameters {
    var channel: ChannelID?
    var limit: Int?
    var before: Int64?

    init(_ request: Request) throws {
        let parameters = request.uri.queryParameters
        if let channel = parameters.get("channel") {
            guard ChannelID.isValid(channel) else { throw APIError.badRequest("channel is not a channel id", field: "channel") }
            self.channel = ChannelID(rawValue: channel)
        }
        if let limit = parameters.get("limit") {
            guard let value = Int(limit), (1...500).contains(value) else {
                throw APIError.badRequest("limit must be an integer from 1 to 500", field: "limit")
            }
            self.limit = value
        }
        if let cursor = parameters.get("cursor") {
            guard let value = Int64(cursor), value > 0 else { throw APIError.badRequest("cursor is not valid", field: "cursor") }
            before = value
        }
    }
}
