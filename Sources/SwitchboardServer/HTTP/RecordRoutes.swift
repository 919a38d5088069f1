import Foundation
import Hummingbird
import SwitchboardCore
import SwitchboardStore

/// `/api/v1/records`: what channels kept without opening a conversation (bounces, auto-replies,
/// list mail, our own mail, oversize and unreadable messages), and `/api/v1/raw/{id}`: the bytes
/// a message or record arrived as — so a mail admin can always find out what happened to a mail.
struct RecordRoutes: Sendable {
    let store: any GatewayStore
    let authenticator: Authenticator

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("api/v1")
        api.get("records") { request, _ in try await list(request) }
        api.get("raw/:id") { request, context in
            try await authenticator.require(.integration, request)
            let id = try context.parameters.require("id")
            guard let raw = try await store.rawPayload(id) else { throw APIError.notFound("no raw payload for \(id)") }
            // Served as a download, never rendered: it is exactly what a sender chose to send.
            return HTTPResponses.raw(
                200, body: raw.bytes,
                headers: [
                    (name: "Content-Type", value: "application/octet-stream"),
                    (name: "Content-Disposition", value: "attachment; filename=\"\(id).\(raw.contentType == "message/rfc822" ? "eml" : "bin")\""),
                    (name: "X-Content-Type-Options", value: "nosniff"),
                    (name: "X-Switchboard-Content-Type", value: raw.contentType),
                ])
        }
    }

    private func list(_ request: Request) async throws -> Response {
        try await authenticator.require(.integration, request)
        let parameters = request.uri.queryParameters
        var query = RecordQuery()
        if let reason = parameters.get("reason") { query.reason = RecordReason(reason) }
        let listing = try ListingParameters(request)
        query.channelID = listing.channel
        query.limit = listing.limit ?? query.limit
        query.before = listing.before
        let page = try await store.recordedContacts(query)
        return HTTPResponses.json(
            200, APIResources.Page(items: page.items.map(RecordResource.init), nextCursor: page.nextCursor.map(String.init)))
    }

    struct RecordResource: Encodable {
        var record: StoredRecord

        enum Key: String, CodingKey {
            case id, channelId, externalId, reason, detail, sender, summary, relatedMessageId, occurredAt, createdAt
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(record.id, forKey: .id)
            try container.encode(record.channelID, forKey: .channelId)
            try container.encode(record.externalID, forKey: .externalId)
            try container.encode(record.reason, forKey: .reason)
            try container.encode(record.detail, forKey: .detail)
            try container.encode(record.sender?.description, forKey: .sender)
            try container.encode(record.summary, forKey: .summary)
            try container.encode(record.relatedMessageID, forKey: .relatedMessageId)
            try container.encode(record.occurredAt, forKey: .occurredAt)
            try container.encode(record.createdAt, forKey: .createdAt)
        }
    }
}
