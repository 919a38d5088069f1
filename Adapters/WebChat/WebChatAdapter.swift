import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import SwitchboardCore
import Synchronization

/// The web chat channel: signed JSON webhooks in, signed callbacks out.
///
/// Inbound: `POST /channels/{id}/messages` and `POST /channels/{id}/ratings`, each signed with
/// `X-Switchboard-Signature: sha256=HMAC(secret, "<timestamp>.<body>")` and a timestamp within
/// the tolerance window. The signature is checked on the raw bytes before anything is parsed;
/// unauthenticated input is never stored. The answer (`202`, or `200` for a redelivery) is sent
/// only after the contact is durably committed.
///
/// Outbound: agent replies are POSTed, signed the same way, to `callbackURL`; any 2xx
/// acknowledges them, anything else is retried from the outbox.
public final class WebChatAdapter: PushChannelAdapter, OutboundChannelAdapter {
    public let id: ChannelID
    public var kind: ChannelKind { .webchat }
    public let configuration: WebChatConfiguration
    public var maxBodySize: Int { configuration.maxBodyBytes }

    private let signature: WebChatSignature
    private let sink: any ContactSink
    private let logger: Logger
    private let rejected: CounterFamily
    private let client: Mutex<HTTPClient?> = Mutex(nil)

    public init(id: ChannelID, configuration: WebChatConfiguration, environment: ChannelEnvironment) {
        self.id = id
        self.configuration = configuration
        self.signature = WebChatSignature(secret: configuration.secret, tolerance: configuration.timestampTolerance)
        self.sink = environment.sink
        var logger = environment.logger
        logger[metadataKey: "sb.channel"] = "\(id.rawValue)"
        self.logger = logger
        self.rejected = CounterFamily(
            label: "switchboard.webhook.rejected", dimensions: ["channel", "reason"], factory: environment.metricsFactory)
    }

    public var routes: [PushRoute] {
        [
            PushRoute(method: "POST", path: "messages") { [self] request in await receiveMessage(request) },
            PushRoute(method: "POST", path: "ratings") { [self] request in await receiveRating(request) },
        ]
    }

    // MARK: Inbound

    /// Verifies the signature; on failure answers 401, counts and logs the reason.
    private func authenticate(_ request: PushRequest) -> PushResponse? {
        guard
            let failure = signature.verify(
                body: request.body, timestamp: request.header(WebChatSignature.timestampHeader),
                signature: request.header(WebChatSignature.signatureHeader), now: request.receivedAt)
        else { return nil }
        reject(reason: failure.rawValue, message: failure.message)
        return .error(401, failure.message)
    }

    private func reject(reason: String, message: String, field: String? = nil) {
        rejected.increment(id.rawValue, reason)
        logger.notice(
            "web chat request rejected",
            metadata: ["sb.reason": "\(reason)", "sb.detail": "\(message)", "sb.field": "\(field ?? "-")"])
    }

    private func malformed(_ message: String, field: String?) -> PushResponse {
        reject(reason: "malformed", message: message, field: field)
        return .error(400, message, field: field)
    }

    private func failure(_ error: IngestError) -> PushResponse {
        if let validation = error.validationError {
            return malformed("\(validation.field) \(validation.reason)", field: validation.field)
        }
        if error.isRetryable {
            logger.warning("web chat contact not accepted; sender should retry", metadata: ["sb.error": "\(error)"])
            return .retryLater(error)
        }
        reject(reason: error.metricReason, message: error.description)
        return .error(error.httpStatus, error.description)
    }

    /// Verifies the signature, then decodes the body: the body, or the 401/400 to answer.
    private func authenticatedBody<Body: Decodable>(_ type: Body.Type, of request: PushRequest) -> Decoded<Body> {
        if let refusal = authenticate(request) { return .refused(refusal) }
        do {
            return .body(try JSONDecoder().decode(type, from: request.body))
        } catch {
            let problem = DecodingProblem.describe(error)
            return .refused(
                malformed(problem.field.map { "\($0) \(problem.message)" } ?? problem.message, field: problem.field))
        }
    }

    private enum Decoded<Body> {
        case body(Body)
        case refused(PushResponse)
    }

    func receiveMessage(_ request: PushRequest) async -> PushResponse {
        let body: WebChatMessageBody
        switch authenticatedBody(WebChatMessageBody.self, of: request) {
        case .body(let decoded): body = decoded
        case .refused(let refusal): return refusal
        }
        let contact: InboundContact
        do {
            contact = try makeContact(body, request: request)
        } catch {
            return malformed("\(error.field) \(error.reason)", field: error.field)
        }
        do {
            let receipt = try await sink.ingest(contact)
            return WebChatMessageAnswer(
                conversationId: receipt.conversationID.rawValue, messageId: receipt.messageID.rawValue,
                duplicate: receipt.duplicate
            ).response
        } catch {
            return failure(error)
        }
    }

    private func makeContact(_ body: WebChatMessageBody, request: PushRequest) throws(ValidationError) -> InboundContact {
        guard !body.visitor.id.isEmpty else { throw ValidationError(field: "visitor.id", reason: "is required") }
        try InboundContact.checkIdentifier(body.visitor.id, field: "visitor.id", maxBytes: 255)
        var attributes = body.attributes ?? [:]
        if let email = body.visitor.email, !email.isEmpty {
            do {
                attributes["email"] = try Handle.email(email).value
            } catch {
                throw ValidationError(field: "visitor.email", reason: error.reason)
            }
        }
        if let phone = body.visitor.phone, !phone.isEmpty {
            do {
                attributes["phone"] = try Handle.phone(phone).value
            } catch {
                throw ValidationError(field: "visitor.phone", reason: error.reason)
            }
        }
        var attachments: [InboundAttachment] = []
        for (index, attachment) in (body.attachments ?? []).enumerated() {
            guard let data = Data(base64Encoded: attachment.data, options: .ignoreUnknownCharacters), !data.isEmpty else {
                throw ValidationError(field: "attachments[\(index)].data", reason: "is not non-empty base64")
            }
            attachments.append(
                InboundAttachment(
                    name: attachment.name ?? "attachment-\(index + 1)",
                    contentType: attachment.contentType ?? "application/octet-stream", data: data))
        }
        let text = body.text.flatMap { $0.isEmpty ? nil : $0 }
        if text == nil && attachments.isEmpty {
            throw ValidationError(field: "text", reason: "is required when there are no attachments")
        }
        return InboundContact(
            channelID: id, channelKind: .webchat, externalID: body.id, occurredAt: request.receivedAt,
            sender: .webchatVisitor(channel: id, visitorID: body.visitor.id), senderName: body.visitor.name,
            text: text, attachments: attachments,
            routing: RoutingAttributes(
                sourcePage: body.page, referrer: body.referrer, keyword: body.keyword, vipLevel: body.vipLevel),
            customerAttributes: attributes,
            raw: RawPayload(contentType: "application/json", bytes: request.body))
    }

    func receiveRating(_ request: PushRequest) async -> PushResponse {
        let body: WebChatRatingBody
        switch authenticatedBody(WebChatRatingBody.self, of: request) {
        case .body(let decoded): body = decoded
        case .refused(let refusal): return refusal
        }
        let rating = RatingSubmission(
            channelID: id, externalID: body.id, sender: .webchatVisitor(channel: id, visitorID: body.visitor.id),
            conversationID: ConversationID(body.conversationId), score: body.score, comment: body.comment,
            occurredAt: request.receivedAt, raw: RawPayload(contentType: "application/json", bytes: request.body))
        do {
            let receipt = try await sink.recordRating(rating)
            return .json(
                receipt.duplicate ? 200 : 202,
                WebChatRatingAnswer(
                    ratingId: receipt.ratingID, conversationId: receipt.conversationID.rawValue,
                    duplicate: receipt.duplicate))
        } catch {
            return failure(error)
        }
    }

    // MARK: Outbound

    public var canDeliver: Bool { configuration.callbackURL != nil }

    public func send(_ delivery: OutboundDelivery) async throws(DeliveryError) {
        guard let url = configuration.callbackURL else {
            throw .permanent("channel \(id) has no callbackURL configured")
        }
        guard let host = url.host else { throw .permanent("callbackURL has no host") }
        if !configuration.allowPrivateCallbackAddresses {
            let forbidden = CallbackAddressPolicy.forbiddenAddresses(of: host)
            if !forbidden.isEmpty {
                throw .retryable(
                    "callbackURL host \(host) resolves to non-public addresses (\(forbidden.joined(separator: ", "))); "
                        + "set allowPrivateCallbackAddresses: true if this is intended")
            }
        }
        let message = delivery.message
        let prefix = "\(id.rawValue)/"
        let visitorID = message.recipient.value.hasPrefix(prefix)
            ? String(message.recipient.value.dropFirst(prefix.count)) : message.recipient.value
        let body = WebChatCallbackBody(
            channelId: id.rawValue, conversationId: message.conversationID.rawValue,
            conversationNumber: message.conversationNumber, messageId: message.messageID.rawValue,
            visitor: .init(id: visitorID), author: message.author, text: message.text, html: message.html,
            attachments: delivery.attachments.map {
                .init(
                    name: $0.attachment.name, contentType: $0.attachment.contentType, size: $0.attachment.size,
                    sha256: $0.attachment.sha256, data: $0.data.base64EncodedString())
            },
            links: message.links.map { .init(url: $0.url, title: $0.title, description: $0.description, imageUrl: $0.imageURL) },
            createdAt: message.createdAt, attempt: delivery.attempt)
        let bytes: Data
        do {
            bytes = try JSONEncoder.switchboard.encode(body)
        } catch {
            throw .permanent("cannot encode callback body: \(error)")
        }
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: WebChatSignature.timestampHeader, value: String(timestamp))
        request.headers.add(name: WebChatSignature.signatureHeader, value: signature.sign(body: bytes, timestamp: timestamp))
        request.headers.add(name: "X-Switchboard-Delivery", value: String(delivery.deliveryID))
        request.headers.add(name: "Idempotency-Key", value: message.messageID.rawValue)
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response: HTTPClientResponse
        do {
            response = try await httpClient().execute(request, timeout: .seconds(Int64(configuration.callbackTimeout)))
        } catch {
            throw .retryable("callback \(host) unreachable: \(error)")
        }
        // Drain (and bound) the body so the connection can be reused.
        _ = try? await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(response.status.code) else {
            let retryAfter = response.headers.first(name: "retry-after").flatMap(Int64.init).map { Duration.seconds($0) }
            throw .retryable("callback answered \(response.status.code)", retryAfter: retryAfter)
        }
    }

    private func httpClient() -> HTTPClient {
        client.withLock { client in
            if let client { return client }
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            configuration.timeout = .init(connect: .seconds(5), read: .seconds(Int64(self.configuration.callbackTimeout)))
            let created = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            client = created
            return created
        }
    }

    public func shutdown() async {
        let existing = client.withLock { client -> HTTPClient? in
            defer { client = nil }
            return client
        }
        try? await existing?.shutdown()
    }
}

/// Registers `type: webchat`.
public struct WebChatAdapterFactory: ChannelAdapterFactory {
    public init() {}
    public var typeName: String { "webchat" }

    public func makeAdapter(id: ChannelID, config: ConfigReader, environment: ChannelEnvironment) -> (any ChannelAdapter)? {
        guard let configuration = WebChatConfiguration(reading: config) else { return nil }
        return WebChatAdapter(id: id, configuration: configuration, environment: environment)
    }
}
