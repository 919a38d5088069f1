import Foundation
import SwitchboardCore

/// Reading what channels recorded without opening conversations (see ``RecordedContact``), so an
/// admin can see every bounce, auto-reply and oversize mail the gateway kept, and its raw bytes.
public protocol RecordStore: Sendable {
    /// Records matching `query`, newest first, one page at a time.
    func recordedContacts(_ query: RecordQuery) async throws -> RecordPage
    /// The raw payload kept with a message or a record, by the message's or record's id.
    func rawPayload(_ id: String) async throws -> RawPayload?
}

/// Filters and paging for recorded contacts.
public struct RecordQuery: Sendable, Hashable {
    public var channelID: ChannelID?
    public var reason: RecordReason?
    /// Page size, 1-500.
    public var limit: Int
    /// Return records older than this cursor (the previous page's `nextCursor`).
    public var before: Int64?

    public init(channelID: ChannelID? = nil, reason: RecordReason? = nil, limit: Int = 50, before: Int64? = nil) {
        self.channelID = channelID
        self.reason = reason
        self.limit = min(max(limit, 1), 500)
        self.before = before
    }
}

/// One recorded contact as stored.
public struct StoredRecord: Sendable, Hashable, Codable {
    public var id: String
    public var channelID: ChannelID
    public var externalID: String
    public var reason: RecordReason
    public var detail: String
    public var sender: Handle?
    public var summary: String?
    public var relatedMessageID: MessageID?
    public var occurredAt: Date
    public var createdAt: Date

    public init(
        id: String, channelID: ChannelID, externalID: String, reason: RecordReason, detail: String, sender: Handle?,
        summary: String?, relatedMessageID: MessageID?, occurredAt: Date, createdAt: Date
    ) {
        self.id = id
        self.channelID = channelID
        self.externalID = externalID
        self.reason = reason
        self.detail = detail
        self.sender = sender
        self.summary = summary
        self.relatedMessageID = relatedMessageID
        self.occurredAt = occurredAt
        self.createdAt = createdAt
    }
}

/// One page of records and where the next one starts (`nil` at the end).
public struct RecordPage: Sendable, Hashable {
    public var items: [StoredRecord]
    public var nextCursor: Int64?

    public init(items: [StoredRecord], nextCursor: Int64?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
