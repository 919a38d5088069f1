import ServiceLifecycle

/// A configured channel instance: the thing that speaks one channel's protocol.
///
/// Adapters come in shapes (see DESIGN.md §4) and implement only what theirs needs:
/// - ``PushChannelAdapter`` for webhooks (web chat, WeChat, Weibo),
/// - ``services`` for pull loops and file watchers (IMAP, CDR directories),
/// - ``OutboundChannelAdapter`` to deliver agent replies.
///
/// Whatever the shape, an adapter hands what it receives to a ``ContactSink`` and acknowledges
/// its channel only after the sink returns. Every adapter's tests run the conformance kit in
/// `SwitchboardTesting`.
public protocol ChannelAdapter: Sendable {
    var id: ChannelID { get }
    var kind: ChannelKind { get }
    /// Long-running work this channel needs (poll loops, watchers), run in the gateway's
    /// `ServiceGroup`. Default: none.
    var services: [any Service] { get }
    /// Releases resources (HTTP clients, connections) when the gateway stops. Default: nothing.
    func shutdown() async
}

extension ChannelAdapter {
    public var services: [any Service] { [] }
    public func shutdown() async {}
}

/// A channel that receives contacts as HTTP requests under `/channels/{channelID}/…`.
///
/// The server reads at most ``maxBodySize`` bytes of a request (answering `413` beyond it),
/// finds the route by method and path, and passes the raw bytes: signatures are verified
/// against exactly what was received.
public protocol PushChannelAdapter: ChannelAdapter {
    /// The largest request body this channel accepts, in bytes.
    var maxBodySize: Int { get }
    /// The routes, relative to `/channels/{channelID}/`.
    var routes: [PushRoute] { get }
}

/// A channel that can deliver agent replies to the customer.
///
/// The gateway's delivery worker calls ``send(_:)`` for each outbound message taken from the
/// outbox, at least once, until it succeeds or fails permanently; implementations must be safe to
/// call again for the same ``OutboundDelivery/messageID`` (the receiver dedupes on it).
public protocol OutboundChannelAdapter: ChannelAdapter {
    /// Whether this channel instance is configured to deliver (e.g. a web chat channel without a
    /// callback URL is not). Replies on a channel that cannot deliver are recorded, not queued.
    /// Default: true.
    var canDeliver: Bool { get }
    /// The id a reply will carry on the channel (an email Message-ID), decided when the reply is
    /// queued and stored as its external id: retries send the same id, and the customer's answer
    /// naming it (`In-Reply-To`) finds its conversation. Default: none.
    func replyExternalID(for messageID: MessageID) -> String?
    /// The automatic acknowledgement this channel sends when a customer opens a conversation, if
    /// configured. Default: none.
    var acknowledgement: Acknowledgement? { get }
    func send(_ delivery: OutboundDelivery) async throws(DeliveryError)
}

extension OutboundChannelAdapter {
    public var canDeliver: Bool { true }
    public func replyExternalID(for messageID: MessageID) -> String? { nil }
    public var acknowledgement: Acknowledgement? { nil }
}

/// An automatic "we received your message" reply to each new conversation of a channel, at most
/// one per customer per ``window`` (so a customer writing five mails gets one, and two gateways
/// acknowledging each other cannot keep a loop going). Contacts that are themselves automatic
/// never open conversations, so they are never acknowledged.
public struct Acknowledgement: Sendable, Hashable {
    /// The author recorded on acknowledgements, which is also how the window is checked.
    public static let author = "auto-reply"

    /// The text; `{number}` becomes the conversation number.
    public var text: String
    public var window: Duration

    public init(text: String, window: Duration) {
        self.text = text
        self.window = window
    }
}
