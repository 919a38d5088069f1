import Foundation

/// A customer's satisfaction score for a conversation, as a channel submitted it.
///
/// Ratings feed satisfaction reports and let routing skip agents a customer rated badly
/// (a score of 2 or less). Submissions are idempotent on (channel, externalID).
public struct RatingSubmission: Sendable, Hashable {
    public var channelID: ChannelID
    /// The channel's id for the rating, the idempotency key.
    public var externalID: String
    /// The customer's handle on the channel; the conversation must belong to this customer.
    public var sender: Handle
    public var conversationID: ConversationID
    /// 1 (worst) to 5 (best).
    public var score: Int
    public var comment: String?
    public var occurredAt: Date
    public var raw: RawPayload

    public init(
        channelID: ChannelID, externalID: String, sender: Handle, conversationID: ConversationID, score: Int,
        comment: String?, occurredAt: Date, raw: RawPayload
    ) {
        self.channelID = channelID
        self.externalID = externalID
        self.sender = sender
        self.conversationID = conversationID
        self.score = score
        self.comment = comment
        self.occurredAt = occurredAt
        self.raw = raw
    }

    public static let scores: ClosedRange<Int> = 1...5

    /// Checks the submission against the model's rules.
    public func validate() throws(ValidationError) {
        try InboundContact.checkIdentifier(externalID, field: "id", maxBytes: ContactLimits.maxExternalIDBytes)
        try InboundContact.checkIdentifier(sender.value, field: "visitor.id", maxBytes: ContactLimits.maxHandleValueBytes)
        try InboundContact.checkIdentifier(conversationID.rawValue, field: "conversationId", maxBytes: 64)
        guard Self.scores.contains(score) else { throw ValidationError(field: "score", reason: "must be between 1 and 5") }
        if let comment { try InboundContact.checkText(comment, field: "comment", maxBytes: 4096) }
    }
}

/// What recording a rating produced.
public struct RatingReceipt: Sendable, Hashable {
    public var ratingID: String
    public var conversationID: ConversationID
    /// The agent the rating applies to (the conversation's assignee when rated), if any.
    public var agent: String?
    /// True when this (channel, externalID) was already recorded; nothing new was written.
    public var duplicate: Bool

    public init(ratingID: String, conversationID: ConversationID, agent: String?, duplicate: Bool) {
        self.ratingID = ratingID
        self.conversationID = conversationID
        self.agent = agent
        self.duplicate = duplicate
    }
}
