import Foundation

/// An agent reply as it waits in the outbox: what to send, to whom, in which conversation.
///
/// The store hands these to the delivery worker (inside `PendingDelivery`), and the worker hands
/// them on to the channel adapter (inside ``OutboundDelivery``) with the attachment bytes loaded.
public struct OutboundMessage: Sendable, Hashable {
    public var conversationID: ConversationID
    public var conversationNumber: Int64
    public var messageID: MessageID
    /// The customer's handle on this channel (where the reply goes).
    public var recipient: Handle
    public var author: String?
    public var text: String?
    public var html: String?
    public var attachments: [Attachment]
    /// Link cards the agent attached, in order; each channel renders them its own way.
    public var links: [LinkCard]
    public var createdAt: Date
    /// The reply's own id on the channel (an email Message-ID), fixed when it was queued so every
    /// retry carries the same one; see ``OutboundChannelAdapter/replyExternalID(for:)``.
    public var externalID: String?
    /// What the conversation is about, as its first contact said it (an email subject).
    public var subject: String?
    /// The external id of the customer's latest message before this reply (email `In-Reply-To`).
    public var inReplyTo: String?
    /// External ids of the conversation's earlier messages, oldest first, at most 20 with the
    /// first always kept (email `References`).
    public var references: [String]
    /// An automatic message (an ``Acknowledgement``), which channels mark as such (email:
    /// `Auto-Submitted: auto-replied`) so the other side does not answer it.
    public var automatic: Bool
    /// When the customer's latest message in the conversation before this reply was sent, for
    /// channels that only allow replies within a window of it (WeChat: 48 hours).
    public var customerLastMessageAt: Date?

    public init(
        conversationID: ConversationID, conversationNumber: Int64, messageID: MessageID, recipient: Handle,
        author: String?, text: String?, html: String?, attachments: [Attachment], createdAt: Date,
        externalID: String? = nil, subject: String? = nil, inReplyTo: String? = nil, references: [String] = [],
        automatic: Bool = false, customerLastMessageAt: Date? = nil, links: [LinkCard] = []
    ) {
        self.conversationID = conversationID
        self.conversationNumber = conversationNumber
        self.messageID = messageID
        self.recipient = recipient
        self.author = author
        self.text = text
        self.html = html
        self.attachments = attachments
        self.links = links
        self.createdAt = createdAt
        self.externalID = externalID
        self.subject = subject
        self.inReplyTo = inReplyTo
        self.references = references
        self.automatic = automatic
        self.customerLastMessageAt = customerLastMessageAt
    }
}

/// One delivery attempt of an agent reply, as the delivery worker hands it to an adapter.
public struct OutboundDelivery: Sendable, Hashable {
    /// The outbox entry being delivered; stable across retries.
    public var deliveryID: Int64
    /// 1 on the first try, then 2, 3, …
    public var attempt: Int
    public var message: OutboundMessage
    /// The message's attachments with their bytes, in the order of `message.attachments`.
    public var attachments: [OutboundAttachment]

    public init(deliveryID: Int64, attempt: Int, message: OutboundMessage, attachments: [OutboundAttachment]) {
        self.deliveryID = deliveryID
        self.attempt = attempt
        self.message = message
        self.attachments = attachments
    }
}

/// An attachment of an outbound message, with its bytes loaded from the blob store.
public struct OutboundAttachment: Sendable, Hashable {
    public var attachment: Attachment
    public var data: Data

    public init(attachment: Attachment, data: Data) {
        self.attachment = attachment
        self.data = data
    }
}

/// Why a delivery did not succeed, and whether trying again can help.
public struct DeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Try again later (connection refused, timeout, 5xx, 429); `retryAfter` if the peer said when.
    public static func retryable(_ reason: String, retryAfter: Duration? = nil) -> DeliveryError {
        DeliveryError(reason: reason, isRetryable: true, retryAfter: retryAfter)
    }

    /// Trying again cannot help (the channel is misconfigured, the recipient does not exist).
    public static func permanent(_ reason: String) -> DeliveryError {
        DeliveryError(reason: reason, isRetryable: false, retryAfter: nil)
    }

    public var reason: String
    public var isRetryable: Bool
    public var retryAfter: Duration?

    public var description: String { (isRetryable ? "retryable: " : "permanent: ") + reason }
}
