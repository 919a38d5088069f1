import Foundation

/// Something a channel received that must be kept but must not open a conversation: an
/// auto-reply, a bounce, list mail, our own mail coming back, a message over the size limit or
/// one that could not be read at all.
///
/// Recording keeps the promise "never silently dropped" without letting noise reach agents or
/// trigger replies (which is how mail loops start). Recorded contacts are deduped on (channel,
/// ``externalID``) like conversational ones, carry the raw bytes as received, and may name the
/// messages they relate to (a bounce names the message it reports on).
public struct RecordedContact: Sendable, Hashable {
    public var channelID: ChannelID
    public var channelKind: ChannelKind
    public var externalID: String
    public var occurredAt: Date
    /// The sender, when one could be read.
    public var sender: Handle?
    /// A one-line summary for lists (a mail subject).
    public var summary: String?
    public var reason: RecordReason
    /// What exactly happened, for the admin reading the record.
    public var detail: String
    /// External ids of messages this one relates to (a bounce's original Message-ID, the ids an
    /// auto-reply answers); the store links the record to the first one it knows.
    public var relatesTo: [String]
    public var raw: RawPayload
    public var checkpoint: ChannelCheckpoint?

    public init(
        channelID: ChannelID, channelKind: ChannelKind, externalID: String, occurredAt: Date, sender: Handle?,
        summary: String?, reason: RecordReason, detail: String, relatesTo: [String] = [], raw: RawPayload,
        checkpoint: ChannelCheckpoint? = nil
    ) {
        self.channelID = channelID
        self.channelKind = channelKind
        self.externalID = externalID
        self.occurredAt = occurredAt
        self.sender = sender
        self.summary = summary
        self.reason = reason
        self.detail = detail
        self.relatesTo = relatesTo
        self.raw = raw
        self.checkpoint = checkpoint
    }

    /// Checks identifiers and sizes; a record is otherwise taken as it comes.
    public func validate() throws(ValidationError) {
        try InboundContact.checkIdentifier(externalID, field: "id", maxBytes: ContactLimits.maxExternalIDBytes)
        if let summary { try InboundContact.checkText(summary, field: "summary", maxBytes: 4096) }
        try InboundContact.checkText(detail, field: "detail", maxBytes: 4096)
    }
}

/// Why a contact was recorded instead of opening a conversation. Open and string-backed, like
/// ``ChannelKind``: adapters may add their own.
public struct RecordReason: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// `Auto-Submitted` other than `no` (RFC 3834): vacation replies, robots.
    public static let autoSubmitted = RecordReason("auto-submitted")
    /// A delivery status notification.
    public static let bounce = RecordReason("bounce")
    /// List mail (`List-Id`, `Precedence: list`).
    public static let mailingList = RecordReason("mailing-list")
    /// `Precedence: bulk` or `junk`.
    public static let bulk = RecordReason("bulk")
    /// Sent from one of the channel's own addresses.
    public static let ownAddress = RecordReason("own-address")
    /// Marked as having passed through us already (`X-Loop`).
    public static let loop = RecordReason("loop")
    /// Larger than the channel accepts; only its headers are kept.
    public static let oversize = RecordReason("oversize")
    /// Could not be turned into a contact (no sender, broken beyond repair).
    public static let unreadable = RecordReason("unreadable")
    /// Something the customer did rather than said (a WeChat follow, unfollow, menu click or
    /// location report): kept against their handle, never answered.
    public static let channelEvent = RecordReason("event")
}

/// What recording one contact produced.
public struct RecordReceipt: Sendable, Hashable {
    public var recordID: String
    /// True when (channel, externalID) was already recorded (or stored as a message).
    public var duplicate: Bool
    /// The stored message the record relates to, when one of ``RecordedContact/relatesTo`` is known.
    public var relatedMessageID: MessageID?

    public init(recordID: String, duplicate: Bool, relatedMessageID: MessageID?) {
        self.recordID = recordID
        self.duplicate = duplicate
        self.relatedMessageID = relatedMessageID
    }
}
