import Foundation

/// The normalized envelope every channel adapter hands to the ``Ingestor``.
///
/// An adapter's only job is to speak its channel's protocol and produce one of these; everything
/// after it — dedupe, identity, threading, persistence — is the same for every channel. Call
/// ``validate()`` (the Ingestor does) before trusting its fields.
public struct InboundContact: Sendable, Hashable {
    public var channelID: ChannelID
    public var channelKind: ChannelKind
    /// The channel's own id for this contact: the idempotency key within the channel.
    public var externalID: String
    /// When the channel says it happened (not when we received it).
    public var occurredAt: Date
    /// Who sent it, normalized (see ``Handle``). Identity resolution keys on this.
    public var sender: Handle
    /// Further handles the channel itself vouches belong to the sender (a WeChat UnionID, shared
    /// by one person's OpenIDs across a company's accounts). The customer is found by ``sender``,
    /// else by the first linked handle already known; handles not yet known are attached to that
    /// customer. A linked handle another customer already holds is left with them: customers are
    /// joined only by an agent's merge, never silently.
    public var linkedHandles: [Handle]
    /// The display name the sender gave, if any.
    public var senderName: String?
    /// The endpoint it was sent to (an email address, an official account id), if the channel has one.
    public var recipient: String?
    /// Channel-specific threading hints (Message-IDs, subject tokens); empty for chat channels.
    public var threadHints: ThreadHints
    public var text: String?
    public var html: String?
    public var parts: [MessagePart]
    public var attachments: [InboundAttachment]
    /// Where the contact came from and how it wants to be treated (page, keyword, VIP level, …).
    public var routing: RoutingAttributes
    /// Profile attributes the sender supplied (self-reported email, phone, custom fields).
    /// Stored on the customer; never used to join customers.
    public var customerAttributes: [String: String]
    /// The bytes exactly as received, kept for audit and replay.
    public var raw: RawPayload
    /// For pull channels: the checkpoint saved with this contact (see ``ChannelCheckpoint``).
    public var checkpoint: ChannelCheckpoint?

    public init(
        channelID: ChannelID, channelKind: ChannelKind, externalID: String, occurredAt: Date, sender: Handle,
        senderName: String? = nil, recipient: String? = nil, threadHints: ThreadHints = ThreadHints(),
        text: String? = nil, html: String? = nil, parts: [MessagePart] = [], attachments: [InboundAttachment] = [],
        routing: RoutingAttributes = RoutingAttributes(), customerAttributes: [String: String] = [:],
        raw: RawPayload, checkpoint: ChannelCheckpoint? = nil, linkedHandles: [Handle] = []
    ) {
        self.channelID = channelID
        self.channelKind = channelKind
        self.externalID = externalID
        self.occurredAt = occurredAt
        self.sender = sender
        self.senderName = senderName
        self.recipient = recipient
        self.threadHints = threadHints
        self.text = text
        self.html = html
        self.parts = parts
        self.attachments = attachments
        self.routing = routing
        self.customerAttributes = customerAttributes
        self.raw = raw
        self.checkpoint = checkpoint
        self.linkedHandles = linkedHandles
    }
}

/// Channel-given hints for threading a contact into an existing conversation.
public struct ThreadHints: Sendable, Hashable, Codable {
    /// Ids of messages this one replies to (email `In-Reply-To` then `References`, newest first).
    public var replyTo: [String]
    /// A conversation or ticket token found in the subject (`[#1042]`).
    public var subjectToken: String?
    /// Whether, without a matching hint, the contact continues the customer's latest conversation
    /// on the channel within the inactivity window (chat-like channels). Email sets this false: a
    /// new mail that replies to nothing starts a new conversation.
    public var byInactivityWindow: Bool

    public init(replyTo: [String] = [], subjectToken: String? = nil, byInactivityWindow: Bool = true) {
        self.replyTo = replyTo
        self.subjectToken = subjectToken
        self.byInactivityWindow = byInactivityWindow
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        replyTo = try container.decodeIfPresent([String].self, forKey: .replyTo) ?? []
        subjectToken = try container.decodeIfPresent(String.self, forKey: .subjectToken)
        byInactivityWindow = try container.decodeIfPresent(Bool.self, forKey: .byInactivityWindow) ?? true
    }
}

/// Routing inputs a channel supplies with a contact: the "how" and "where" of routing rules.
public struct RoutingAttributes: Sendable, Hashable, Codable {
    public var sourcePage: String?
    public var referrer: String?
    public var keyword: String?
    public var region: String?
    /// VIP level given by the channel (e.g. the web chat `vipLevel` parameter), 0-10.
    public var vipLevel: Int?
    /// Anything else a channel wants rules to see.
    public var extra: [String: String]

    public init(
        sourcePage: String? = nil, referrer: String? = nil, keyword: String? = nil, region: String? = nil,
        vipLevel: Int? = nil, extra: [String: String] = [:]
    ) {
        self.sourcePage = sourcePage
        self.referrer = referrer
        self.keyword = keyword
        self.region = region
        self.vipLevel = vipLevel
        self.extra = extra
    }
}

/// The exact bytes a contact arrived as, with their media type.
public struct RawPayload: Sendable, Hashable {
    public var contentType: String
    public var bytes: Data

    public init(contentType: String, bytes: Data) {
        self.contentType = contentType
        self.bytes = bytes
    }
}
