import Foundation

/// One message in a conversation, in either direction.
///
/// The text and HTML bodies are kept as columns for fast listing; everything else a channel can
/// carry (images, voice, locations, links, events, call records) is a typed ``MessagePart``.
public struct Message: Sendable, Hashable, Codable {
    public var id: MessageID
    public var conversationID: ConversationID
    /// The channel's own id for the message (the idempotency key); `nil` for messages we wrote.
    public var externalID: String?
    public var direction: MessageDirection
    /// Who wrote it: a handle description for customers, an agent name for replies.
    public var author: String?
    public var text: String?
    public var html: String?
    public var parts: [MessagePart]
    public var attachments: [Attachment]
    public var createdAt: Date
    /// Delivery state for outbound messages (`pending`, `delivered`, `failed`); `nil` inbound.
    public var deliveryState: String?
    /// Why the last delivery attempt did not succeed (the channel's own words, e.g. a relay's
    /// `550 5.1.1 …`); `nil` once delivered.
    public var deliveryError: String?

    public init(
        id: MessageID, conversationID: ConversationID, externalID: String?, direction: MessageDirection,
        author: String?, text: String?, html: String?, parts: [MessagePart], attachments: [Attachment],
        createdAt: Date, deliveryState: String? = nil, deliveryError: String? = nil
    ) {
        self.id = id
        self.conversationID = conversationID
        self.externalID = externalID
        self.direction = direction
        self.author = author
        self.text = text
        self.html = html
        self.parts = parts
        self.attachments = attachments
        self.createdAt = createdAt
        self.deliveryState = deliveryState
        self.deliveryError = deliveryError
    }
}

/// Which way a message travelled.
public enum MessageDirection: String, Sendable, Hashable, Codable {
    /// From the customer.
    case inbound
    /// From an agent or the bot to the customer.
    case outbound
    /// An internal note, never sent to the customer.
    case internalNote = "internal"
}
