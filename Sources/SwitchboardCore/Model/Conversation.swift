import Foundation

/// A thread of messages between one customer and the company on one channel.
///
/// Conversations are what routing assigns and what agents work on. Chat-like channels thread by
/// the customer's handle within an inactivity window (see ``ThreadingPolicy``).
public struct Conversation: Sendable, Hashable, Codable {
    public var id: ConversationID
    /// Short human-facing number (`#1042`), unique per gateway.
    public var number: Int64
    public var status: ConversationStatus
    public var channelID: ChannelID
    public var channelKind: ChannelKind
    public var customerID: CustomerID
    /// The agent working on it; `nil` until routing assigns one.
    public var assignee: String?
    /// The group it is queued in; `nil` until routing chooses one.
    public var group: String?
    /// Queue priority 0-10; higher is served first.
    public var priority: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// When the last message (either direction) was added; drives the inactivity window.
    public var lastActivityAt: Date

    public init(
        id: ConversationID, number: Int64, status: ConversationStatus, channelID: ChannelID,
        channelKind: ChannelKind, customerID: CustomerID, assignee: String?, group: String?, priority: Int,
        createdAt: Date, updatedAt: Date, lastActivityAt: Date
    ) {
        self.id = id
        self.number = number
        self.status = status
        self.channelID = channelID
        self.channelKind = channelKind
        self.customerID = customerID
        self.assignee = assignee
        self.group = group
        self.priority = priority
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastActivityAt = lastActivityAt
    }
}

/// Where a conversation stands. Only `closed` ends a thread; the others are open.
public enum ConversationStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Handled by the knowledge-base bot.
    case bot
    /// Waiting for an agent.
    case queued
    /// An agent owns it.
    case assigned
    /// Waiting on the customer.
    case waiting
    /// Finished; a new contact opens a new conversation.
    case closed

    public var isOpen: Bool { self != .closed }
}

/// A conversation together with its messages, oldest first.
public struct ConversationDetail: Sendable, Hashable {
    public var conversation: Conversation
    public var messages: [Message]

    public init(conversation: Conversation, messages: [Message]) {
        self.conversation = conversation
        self.messages = messages
    }
}
