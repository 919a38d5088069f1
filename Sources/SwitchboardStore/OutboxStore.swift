import Foundation
import SwitchboardCore

/// The outbox: durable hand-off of work that happens after a commit.
///
/// Two kinds of entries share it: events (`contact.ingested`, written in the ingest transaction,
/// for routing and tickets to consume) and deliveries (`reply.deliver`, agent replies waiting to
/// be sent through their channel, retried with backoff until acknowledged).
public protocol OutboxStore: Sendable {
    /// Deliveries whose next attempt is due at `now`, oldest due first, at most `limit`.
    func dueDeliveries(now: Date, limit: Int) async throws -> [PendingDelivery]
    /// When the earliest pending delivery is due; `nil` if none is pending.
    func nextDeliveryDue() async throws -> Date?
    func markDelivered(_ id: Int64, at time: Date) async throws
    /// Records a failed attempt and when to try again.
    func reschedule(_ id: Int64, attempts: Int, nextAttemptAt: Date, error: String) async throws
    /// Gives up on a delivery; the message shows `failed` with the reason.
    func markFailed(_ id: Int64, attempts: Int, at time: Date, error: String) async throws
    /// How much work is waiting, for metrics.
    func outboxDepth() async throws -> OutboxDepth
    /// Events after `position` (exclusive), oldest first, for consumers that track a cursor.
    func events(after position: Int64, limit: Int) async throws -> [OutboxEvent]
}

/// A reply waiting to be delivered, with everything the channel adapter needs.
public struct PendingDelivery: Sendable, Hashable {
    public var id: Int64
    /// Attempts made so far.
    public var attempts: Int
    public var channelID: ChannelID
    public var message: OutboundMessage

    public init(id: Int64, attempts: Int, channelID: ChannelID, message: OutboundMessage) {
        self.id = id
        self.attempts = attempts
        self.channelID = channelID
        self.message = message
    }
}

/// An event entry of the outbox.
public struct OutboxEvent: Sendable, Hashable {
    public var position: Int64
    public var topic: String
    public var conversationID: ConversationID?
    public var messageID: MessageID?
    /// The event body as JSON text.
    public var payload: String
    public var createdAt: Date

    public init(
        position: Int64, topic: String, conversationID: ConversationID?, messageID: MessageID?, payload: String,
        createdAt: Date
    ) {
        self.position = position
        self.topic = topic
        self.conversationID = conversationID
        self.messageID = messageID
        self.payload = payload
        self.createdAt = createdAt
    }
}

/// Counts of waiting outbox work.
public struct OutboxDepth: Sendable, Hashable {
    /// Deliveries not yet acknowledged nor given up.
    public var pendingDeliveries: Int
    /// Deliveries given up on.
    public var failedDeliveries: Int
    /// The outbox log's latest position (consumers track their own cursors against it).
    public var events: Int

    public init(pendingDeliveries: Int, failedDeliveries: Int, events: Int) {
        self.pendingDeliveries = pendingDeliveries
        self.failedDeliveries = failedDeliveries
        self.events = events
    }
}
