import Foundation
import SwitchboardCore

/// Reading conversations and writing what agents do to them.
public protocol ConversationStore: Sendable {
    /// Conversations matching `query`, newest (highest number) first, one page at a time.
    func conversations(_ query: ConversationQuery) async throws -> ConversationPage
    /// One conversation with its messages, oldest first; `nil` if unknown.
    func conversation(_ id: ConversationID) async throws -> ConversationDetail?
    /// One conversation by its short number; `nil` if unknown.
    func conversation(number: Int64) async throws -> ConversationDetail?
    /// The message a channel delivered with `externalID`, if stored.
    func message(channelID: ChannelID, externalID: String) async throws -> Message?
    /// Appends an agent reply and, when `reply.deliver` is set, an outbox entry that delivers it,
    /// in one transaction. Throws ``StoreError/notFound(_:)`` or ``StoreError/conflict(_:)``
    /// (closed conversation).
    func appendReply(_ reply: AgentReply) async throws -> Message
    /// Appends several replies in one transaction (bot answers, queue notices); replies to
    /// conversations that are closed or gone are skipped. Returns the messages appended.
    func appendReplies(_ replies: [AgentReply]) async throws -> [Message]
    /// Closes a conversation; the next contact from its customer opens a new one. Closing a closed
    /// conversation is a no-op. Throws ``StoreError/notFound(_:)``.
    func close(_ id: ConversationID, at time: Date) async throws -> Conversation
    /// Stores the acknowledgements of one batch of events and the consumer's position in one
    /// transaction, leaving out each whose customer already got an acknowledgement on that
    /// channel within `window` (earlier ones of the same batch included). Returns those stored.
    func appendAcknowledgements(_ replies: [AgentReply], window: [ChannelID: Duration], consumer: String, position: Int64)
        async throws -> [Message]
}

/// Filters and paging for listing conversations.
public struct ConversationQuery: Sendable, Hashable {
    public var status: ConversationStatus?
    public var channelID: ChannelID?
    public var customerID: CustomerID?
    /// Page size, 1-500.
    public var limit: Int
    /// Return conversations with a number below this (the previous page's `nextCursor`).
    public var before: Int64?

    public init(
        status: ConversationStatus? = nil, channelID: ChannelID? = nil, customerID: CustomerID? = nil,
        limit: Int = 50, before: Int64? = nil
    ) {
        self.status = status
        self.channelID = channelID
        self.customerID = customerID
        self.limit = min(max(limit, 1), 500)
        self.before = before
    }
}

/// One page of conversations and where the next one starts (`nil` at the end).
public struct ConversationPage: Sendable, Hashable {
    public var items: [Conversation]
    public var nextCursor: Int64?

    public init(items: [Conversation], nextCursor: Int64?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// An agent's reply to a conversation.
public struct AgentReply: Sendable, Hashable {
    public var messageID: MessageID
    public var conversationID: ConversationID
    public var author: String
    public var text: String?
    public var html: String?
    public var attachments: [Attachment]
    /// Link cards sent with the reply (stored as the message's `link` parts).
    public var links: [LinkCard]
    public var createdAt: Date
    /// Whether to queue a delivery through the conversation's channel (false for channels
    /// without outbound support; the message is still recorded).
    public var deliver: Bool
    /// The reply's id on its channel, when the channel names its replies (email Message-ID).
    public var externalID: String?
    /// An automatic acknowledgement rather than a person's reply.
    public var automatic: Bool

    public init(
        messageID: MessageID = .generate(), conversationID: ConversationID, author: String, text: String?, html: String?,
        attachments: [Attachment] = [], links: [LinkCard] = [], createdAt: Date, deliver: Bool, externalID: String? = nil,
        automatic: Bool = false
    ) {
        self.messageID = messageID
        self.conversationID = conversationID
        self.author = author
        self.text = text
        self.html = html
        self.attachments = attachments
        self.links = links
        self.createdAt = createdAt
        self.deliver = deliver
        self.externalID = externalID
        self.automatic = automatic
    }
}

extension AgentReply {
    /// The reply's typed parts as the message stores them: one `link` part per card.
    public var parts: [MessagePart] { links.map(MessagePart.link) }
}
