/// Where a channel adapter hands what it received: the Ingestor's face towards adapters.
///
/// Every method returns only after the item is durably committed (or was already stored), so an
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
    /// Durably keeps a contact that must not open a conversation (noise, oversize, unreadable).
    func record(_ contact: RecordedContact) async throws(IngestError) -> RecordReceipt
    /// Stores several contacts **in the given order**: each is committed no earlier than the ones
    /// before it, which is what lets their ``ChannelCheckpoint`` chain advance. One result per
    /// submission, in order. The default stores them one after the other.
    func submitInOrder(_ submissions: [ContactSubmission]) async -> [Result<ContactOutcome, IngestError>]
    /// The checkpoint a pull adapter saved for (channel, scope) with its contacts, if any.
    func checkpoint(channel: ChannelID, scope: String) async throws(IngestError) -> String?
}

/// One item of ``ContactSink/submitInOrder(_:)``.
public enum ContactSubmission: Sendable, Hashable {
    case contact(InboundContact)
    case recorded(RecordedContact)
}

/// What one ``ContactSubmission`` produced.
public enum ContactOutcome: Sendable, Hashable {
    case contact(IngestReceipt)
    case recorded(RecordReceipt)

    /// Whether the item was already stored before this submission.
    public var duplicate: Bool {
        switch self {
        case .contact(let receipt): receipt.duplicate
        case .recorded(let receipt): receipt.duplicate
        }
    }
}

extension ContactSink {
    public func submitInOrder(_ submissions: [ContactSubmission]) async -> [Result<ContactOutcome, IngestError>] {
        var results: [Result<ContactOutcome, IngestError>] = []
        results.reserveCapacity(submissions.count)
        for submission in submissions {
            do throws(IngestError) {
                switch submission {
                case .contact(let contact): results.append(.success(.contact(try await ingest(contact))))
                case .recorded(let record): results.append(.success(.recorded(try await self.record(record))))
                }
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }
}
