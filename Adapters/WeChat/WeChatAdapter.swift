import Foundation
import Logging
import Metrics
import SwitchboardCore

/// The WeChat Official Account channel: the account's server URL in, customer-service messages
/// out.
///
/// Inbound: `GET /channels/{id}/wechat` answers WeChat's URL verification; `POST` takes pushes
/// in plaintext, compatible or safe mode. ``WeChatEndpoint`` authenticates and decrypts,
/// ``WeChatContactBuilder`` turns the push into a message or a record, and the answer —
/// `success`, or a passive reply (encrypted in safe mode) — is sent only after the durable
/// commit. A redelivered push answers the same and stores nothing. An authentic push the model
/// refuses is kept as an `unreadable` record with its XML, so WeChat's retries stop and nothing
/// is lost.
///
/// Outbound: agent replies go through the customer-service message API (text, images, voice),
/// within WeChat's 48-hour window after the customer's last message.
public final class WeChatAdapter: PushChannelAdapter, OutboundChannelAdapter {
    public static let replyWindow: TimeInterval = 48 * 3600

    public let id: ChannelID
    public var kind: ChannelKind { .wechat }
    public let configuration: WeChatConfiguration
    public var maxBodySize: Int { configuration.maxBodyBytes }

    private let endpoint: WeChatEndpoint
    private let builder: WeChatContactBuilder
    private let sink: any ContactSink
    private let logger: Logger
    private let rejected: CounterFamily
    private let api: WeChatAPIClient?
    /// A reply is several API calls; a retry resumes after the last one sent.
    private let multiPart = MultiPartSend()

    public init(id: ChannelID, configuration: WeChatConfiguration, environment: ChannelEnvironment) {
        self.id = id
        self.configuration = configuration
        self.endpoint = WeChatEndpoint(configuration: configuration)
        self.builder = WeChatContactBuilder(
            channelID: id, appID: configuration.appID, conversationEvents: configuration.conversationEvents)
        self.sink = environment.sink
        var logger = environment.logger
        logger[metadataKey: "sb.channel"] = "\(id.rawValue)"
        self.logger = logger
        self.rejected = CounterFamily(
            label: "switchboard.webhook.rejected", dimensions: ["channel", "reason"], factory: environment.metricsFactory)
        self.api = configuration.appSecret.map {
            WeChatAPIClient(
                baseURL: configuration.apiBaseURL, appID: configuration.appID, appSecret: $0, timeout: configuration.apiTimeout)
        }
    }

    public var routes: [PushRoute] {
        [
            PushRoute(method: "GET", path: "wechat") { [self] request in await receive(request) },
            PushRoute(method: "POST", path: "wechat") { [self] request in await receive(request) },
        ]
    }

    // MARK: Inbound

    func receive(_ request: PushRequest) async -> PushResponse {
        switch endpoint.decide(method: request.method, query: request.query, body: request.body, now: request.receivedAt) {
        case .verified(let echo):
            return .text(200, echo)
        case .rejected(let rejection, let detail):
            rejected.increment(id.rawValue, rejection.metricReason)
            logger.notice(
                "WeChat request rejected",
                metadata: ["sb.reason": "\(rejection.rawValue)", "sb.detail": "\(detail)", "sb.method": "\(request.method)"])
            return .error(rejection.status, rejection.message)
        case .push(let push, let xml, let encrypted):
            if let failure = await store(builder.submission(for: push, xml: xml), push: push) { return failure }
            return answer(push, encrypted: encrypted, query: request.query)
        }
    }

    /// Stores the submission; `nil` when it is durably stored (or already was), else the answer
    /// that makes WeChat retry or explains the refusal.
    private func store(_ submission: WeChatContactBuilder.Submission, push: WeChatPush) async -> PushResponse? {
        do throws(IngestError) {
            switch submission {
            case .contact(let contact):
                if let problem = try await sink.ingestOrKeep(contact, summary: "WeChat \(push.msgType) message") {
                    logger.warning("WeChat push kept as unreadable", metadata: ["sb.reason": "\(problem)"])
                }
            case .record(let record):
                _ = try await sink.record(record)
            }
            return nil
        } catch {
            if error.isRetryable {
                logger.warning("WeChat push not stored; WeChat will retry", metadata: ["sb.error": "\(error)"])
                // Any non-2xx makes WeChat redeliver; the cause stays in the log.
                return .retryLater(error)
            }
            rejected.increment(id.rawValue, "malformed")
            logger.notice("WeChat push refused", metadata: ["sb.error": "\(error)"])
            return .error(error.httpStatus, error.description)
        }
    }

    /// `success`, or the passive welcome reply to a `subscribe` (encrypted when the push was).
    private func answer(_ push: WeChatPush, encrypted: Bool, query: [String: String]) -> PushResponse {
        guard push.event?.lowercased() == "subscribe", let text = configuration.subscribeReply else {
            return .text(200, "success")
        }
        let reply = WeChatPassiveReply.text(to: push.fromUserName, from: push.toUserName, content: text, createTime: push.createTime)
        guard encrypted, let cipher = endpoint.cipher else {
            return PushResponse(status: 200, headers: [(name: "content-type", value: "application/xml")], body: Data(reply.utf8))
        }
        var generator = SystemRandomNumberGenerator()
        let random = (0..<16).map { _ in WeChatPassiveReply.randomAlphabet.randomElement(using: &generator) ?? 0x61 }
        let envelope = cipher.envelope(
            replyXML: Array(reply.utf8), token: configuration.token, timestamp: query["timestamp"] ?? String(push.createTime),
            nonce: query["nonce"] ?? "0", random: random)
        return PushResponse(status: 200, headers: [(name: "content-type", value: "application/xml")], body: Data(envelope.utf8))
    }

    // MARK: Outbound

    public var canDeliver: Bool { api != nil }

    public func send(_ delivery: OutboundDelivery) async throws(DeliveryError) {
        guard let api else { throw .permanent("channel \(id) has no appSecret configured") }
        let message = delivery.message
        let prefix = "\(configuration.appID):"
        guard message.recipient.kind == WeChatContactBuilder.openIDHandleKind, message.recipient.value.hasPrefix(prefix) else {
            throw .permanent("recipient \(message.recipient) is not a follower of AppID \(configuration.appID)")
        }
        let openID = String(message.recipient.value.dropFirst(prefix.count))
        if let last = message.customerLastMessageAt, Date().timeIntervalSince(last) > Self.replyWindow {
            throw .permanent(
                "the customer last wrote at \(ISO8601.format(last)), more than 48 hours ago; WeChat allows "
                    + "customer-service messages only within 48 hours of the customer's last message")
        }
        let steps = try WeChatReplyPlan.steps(for: delivery)
        try await multiPart.run(steps, of: delivery) { step throws(DeliveryError) in
            switch step {
            case .text(let content):
                try await api.send(.text(to: openID, content))
            case .news(let card):
                try await api.send(.news(to: openID, card))
            case .media(let type, let attachment):
                let mediaID = try await api.uploadMedia(
                    type: type, name: attachment.attachment.name, contentType: attachment.attachment.contentType,
                    data: attachment.data)
                try await api.send(type == "image" ? .image(to: openID, mediaID: mediaID) : .voice(to: openID, mediaID: mediaID))
            }
        }
    }

    public func shutdown() async {
        await api?.shutdown()
    }
}

/// Registers `type: wechat`.
public struct WeChatAdapterFactory: ChannelAdapterFactory {
    public init() {}
    public var typeName: String { "wechat" }

    public func makeAdapter(id: ChannelID, config: ConfigReader, environment: ChannelEnvironment) -> (any ChannelAdapter)? {
        guard let configuration = WeChatConfiguration(reading: config) else { return nil }
        return WeChatAdapter(id: id, configuration: configuration, environment: environment)
    }
}
