import Foundation

/// A contact ready for the store: validated, its attachments already written as blobs.
public struct PreparedContact: Sendable, Hashable {
    public var contact: InboundContact
    /// The stored attachments, in the order of `contact.attachments`.
    public var attachments: [Attachment]
    /// The id to give the message if it is new.
    public var messageID: MessageID

    public init(contact: InboundContact, attachments: [Attachment], messageID: MessageID) {
        self.contact = contact
        self.attachments = attachments
        self.messageID = messageID
    }
}

/// One unit of work in a group-commit batch.
public enum IngestItem: Sendable, Hashable {
    case contact(PreparedContact)
    case rating(RatingSubmission)
    case recorded(RecordedContact)
}

/// The outcome of one unit of work in a batch.
public enum IngestItemOutcome: Sendable, Hashable {
    case contact(IngestReceipt)
    case rating(RatingReceipt)
    case recorded(RecordReceipt)
}

/// The durable half of ingestion: commits a batch of items in one transaction.
///
/// ## Implementation requirements
/// - All items of a batch are committed in **one** transaction, and the method returns only
///   after that transaction is durable (fsynced as the backend is configured). This is what
///   lets the ``Ingestor`` share one fsync among many concurrent contacts (group commit).
/// - Items are processed in order; a later item sees the writes of an earlier one (two
///   deliveries of the same contact in one batch produce one message and one duplicate).
/// - Per contact, inside the transaction: dedupe on (channel, externalID) → resolve the customer
///   by exact sender handle (create one if unknown) → thread with `policy` → insert the raw
///   payload, the message, its attachment links and a `contact.ingested` outbox entry; then, for
///   new contacts and duplicates alike, advance the contact's ``ChannelCheckpoint`` if the stored
///   one equals its `expected` value.
/// - Per recorded contact: dedupe on (channel, externalID) against records and messages → link
///   the first `relatesTo` id that names a stored message of the channel → insert the record and
///   its raw payload → advance its checkpoint the same way.
/// - An item that fails for the caller's reason (an unknown conversation in a rating) returns
///   `.failure` without writing anything for it and without failing the others.
/// - Anything else (I/O, constraint violations we did not foresee) throws: nothing of the batch
///   is committed.
///
/// The store conformance suite in `SwitchboardTesting` checks all of this.
public protocol IngestCommitter: Sendable {
    func commit(_ batch: [IngestItem], policy: ThreadingPolicy, now: Date) async throws
        -> [Result<IngestItemOutcome, IngestError>]
    /// The stored checkpoint of (channel, scope), `nil` when none was ever saved.
    func checkpoint(channel: ChannelID, scope: String) async throws -> String?
}
