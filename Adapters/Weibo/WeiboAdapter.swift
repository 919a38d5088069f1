import Foundation
import Logging
import Metrics
import SwitchboardCore

/// The Weibo fan-service channel (粉丝服务): signed JSON pushes in, replies through the reply API.
///
/// Inbound: `GET /channels/{id}/weibo` answers the URL verification; `POST` takes pushes.
/// ``WeiboEndpoint`` checks the signature and reads the push, ``WeiboContactBuilder`` turns it
/// into a message or a record, and the empty `200` Weibo expects is sent only after the durable
/// commit; a retried push answers the same and stores nothing. Unknown push types are recorded
/// and acknowledged, never refused.
///
/// Outbound: text and link-card (`articles`) replies within 48 hours of the customer's last
/// message.
public final class WeiboAdapter: PushChannelAdapter, OutboundChannelAdapter {
    public static let replyWindow: TimeInterval = 48 * 3600

    public let id: ChannelID
    public var kind: ChannelKind { .weibo }
    public let configuration: WeiboConfiguration
    public var maxBodySize: Int { configuration.maxBodyBytes }

    private let endpoint: WeiboEndpoint
    private let builder: WeiboContactBuilder
    private let sink: any ContactSink
    private let logger: Logger
    private let rejected: CounterFamily
    private let api: WeiboAPIClient?
    /// Text and cards are two API calls; a retry resumes after the one sent.
    private let multiPart = MultiPartSend()

    public init(id: ChannelID, configuration: WeiboConfiguration, environment: ChannelEnvironment) {
        self.id = id
        self.configuration = configuration
        self.endpoint = WeiboEndpoint(configuration: configuration)
        self.builder = WeiboContactBuilder(channelID: id, conversationEvents: configuration.conversationEvents)
        self.sink = environment.sink
        var logger = environment.logger
        logger[metadataKey: "sb.channel"] = "\(id.rawValue)"
        self.logger = logger
        self.rejected = CounterFamily(
            label: "switchboard.webhook.rejected", dimensions: ["channel", "reason"], factory: environment.metricsFactory)
        self.api = configuration.accessToken.map {
            WeiboAPIClient(baseURL: configuration.apiBaseURL, accessToken: $0, timeout: configuration.apiTimeout)
        }
    }

    public var routes: [PushRoute] {
        [
            PushRoute(method: "GET", path: "weibo") { [self] request in await receive(request) },
            PushRoute(method: "POST", path: "weibo") { [self] request in await receive(request) },
        ]
    }

    func receive(_ request: PushRequest) async -> PushResponse {
        switch endpoint.decide(method: request.method, query: request.query, body: request.body, now: request.receivedAt) {
        case .verified(let echo):
            return .text(200, echo)
        case .rejected(let reason, let status, let message):
            rejected.increment(id.rawValue, reason)
            logger.notice("Weibo request rejected", metadata: ["sb.reason": "\(reason)", "sb.detail": "\(message)"])
            return .error(status, message)
        case .push(let push):
            do throws(IngestError) {
                switch builder.submission(for: push, raw: request.body) {
                case .contact(let contact):
                    if let problem = try await sink.ingestOrKeep(contact, summary: "Weibo \(push.type) message") {
                        logger.warning("Weibo push kept as unreadable", metadata: ["sb.reason": "\(problem)"])
                    }
                case .record(let record):
                    _ = try await sink.record(record)
                }
            } catch {
                if error.isRetryable {
                    logger.warning("Weibo push not stored; Weibo will retry", metadata: ["sb.error": "\(error)"])
                    return .retryLater(error)
                }
                rejected.increment(id.rawValue, "malformed")
                logger.notice("Weibo push refused", metadata: ["sb.error": "\(error)"])
                return .error(error.httpStatus, error.description)
            }
            // Weibo takes an empty answer as "received, no passive reply".
            return .text(200, "")
        }
    }

    // MARK: Outbound

    public var canDeliver: Bool { api != nil }

    public func send(_ delivery: OutboundDelivery) async throws(DeliveryError) {
        guard let api else { throw .permanent("channel \(id) has no accessToken configured") }
        let message = delivery.message
        guard message.recipient.kind == WeiboContactBuilder.handleKind, Int64(message.recipient.value) != nil else {
            throw .permanent("recipient \(message.recipient) is not a Weibo user id")
        }
        if let last = message.customerLastMessageAt, Date().timeIntervalSince(last) > Self.replyWindow {
            throw .permanent(
                "the customer last wrote at \(ISO8601.format(last)), more than 48 hours ago; Weibo allows replies only "
                    + "within 48 hours of the customer's last message")
        }
        guard delivery.attachments.isEmpty else {
            throw .permanent("Weibo replies carry text and link cards, not files; send a link instead")
        }
        var steps: [Step] = []
        let text = message.text.flatMap { $0.isEmpty ? nil : $0 } ?? message.html.map(HTMLPlainText.text(of:))
        if let text, !text.isEmpty { steps.append(.text(text)) }
        if !message.links.isEmpty { steps.append(.articles(message.links)) }
        guard !steps.isEmpty else { throw .permanent("the reply has no text and no link") }
        let receiver = message.recipient.value
        try await multiPart.run(steps, of: delivery) { step throws(DeliveryError) in
            switch step {
            case .text(let text): try await api.replyText(to: receiver, text: text)
            case .articles(let cards): try await api.replyArticles(to: receiver, cards: cards)
            }
        }
    }

    private enum Step: Sendable {
        case text(String)
        case articles([LinkCard])
    }

    public func shutdown() async {
        await api?.shutdown()
    }
}

/// Registers `type: weibo`.
public struct WeiboAdapterFactory: ChannelAdapterFactory {
    public init() {}
    public var typeName: String { "weibo" }

    public func makeAdapter(id: ChannelID, config: ConfigReader, environment: ChannelEnvironment) -> (any ChannelAdapter)? {
        guard let configuration = WeiboConfiguration(reading: config) else { return nil }
        return WeiboAdapter(id: id, configuration: configuration, environment: environment)
    }
}
