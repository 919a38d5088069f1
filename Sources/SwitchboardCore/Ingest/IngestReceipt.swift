/// What ingesting one contact produced: the ids an adapter answers its channel with.
public struct IngestReceipt: Sendable, Hashable {
    public var customerID: CustomerID
    public var conversationID: ConversationID
    public var conversationNumber: Int64
    public var messageID: MessageID
    /// True when (channel, externalID) was already stored: these are the original ids and nothing
    /// new was written.
    public var duplicate: Bool
    /// True when the contact opened a new conversation.
    public var newConversation: Bool

    public init(
        customerID: CustomerID, conversationID: ConversationID, conversationNumber: Int64, messageID: MessageID,
        duplicate: Bool, newConversation: Bool
    ) {
        self.customerID = customerID
        self.conversationID = conversationID
        self.conversationNumber = conversationNumber
        self.messageID = messageID
        self.duplicate = duplicate
        self.newConversation = newConversation
    }
}
