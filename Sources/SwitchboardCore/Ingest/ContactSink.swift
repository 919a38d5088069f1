/// Where a channel adapter hands what it received: the Ingestor's face towards adapters.
///
/// Both methods return only after the item is durably committed (or was already stored), so an
/// adapter that acknowledges its channel after they return never acknowledges something we could
/// lose. Errors are ``IngestError``s; ``IngestError/isRetryable`` tells whether the channel should
/// be asked to retry.
///
/// Implemented by ``Ingestor``; tests may use `SwitchboardTesting`'s recording fake.
public protocol ContactSink: Sendable {
    /// Validates, dedupes, resolves identity, threads and durably stores one contact.
    func ingest(_ contact: InboundContact) async throws(IngestError) -> IngestReceipt
    /// Durably records a satisfaction rating for a conversation of the sender.
    func recordRating(_ rating: RatingSubmission) async throws(IngestError) -> RatingReceipt
}
