import Foundation
import SwitchboardCore
import Synchronization

/// An in-memory ``ContactSink`` for adapter unit tests that do not need a store: records every
/// contact and rating, dedupes on (channel, externalID), and can be told to fail.
public final class RecordingSink: ContactSink {
    private struct State {
        var contacts: [InboundContact] = []
        var ratings: [RatingSubmission] = []
        var receipts: [String: IngestReceipt] = [:]
        var records: [RecordedContact] = []
        var checkpoints: [String: String] = [:]
        var failure: IngestError?
    }

    private let state = Mutex(State())

    public init() {}

    public var contacts: [InboundContact] { state.withLock { $0.contacts } }
    public var ratings: [RatingSubmission] { state.withLock { $0.ratings } }
    public var records: [RecordedContact] { state.withLock { $0.records } }

    /// Makes every following call fail with `error` (or succeed again with `nil`).
    public func fail(with error: IngestError?) { state.withLock { $0.failure = error } }

    public func ingest(_ contact: InboundContact) async throws(IngestError) -> IngestReceipt {
        do {
            try contact.validate()
        } catch {
            throw .invalid(error)
        }
        let result: Result<IngestReceipt, IngestError> = state.withLock { state in
            if let failure = state.failure { return .failure(failure) }
            let key = "\(contact.channelID)/\(contact.externalID)"
            if var receipt = state.receipts[key] {
                receipt.duplicate = true
                Self.advance(contact.checkpoint, channel: contact.channelID, in: &state.checkpoints)
                return .success(receipt)
            }
            Self.advance(contact.checkpoint, channel: contact.channelID, in: &state.checkpoints)
            state.contacts.append(contact)
            let receipt = IngestReceipt(
                customerID: .generate(), conversationID: .generate(), conversationNumber: Int64(state.contacts.count),
                messageID: .generate(), duplicate: false, newConversation: true)
            state.receipts[key] = receipt
            return .success(receipt)
        }
        return try result.get()
    }

    public func recordRating(_ rating: RatingSubmission) async throws(IngestError) -> RatingReceipt {
        do {
            try rating.validate()
        } catch {
            throw .invalid(error)
        }
        let failure = state.withLock { state -> IngestError? in
            if let failure = state.failure { return failure }
            state.ratings.append(rating)
            return nil
        }
        if let failure { throw failure }
        return RatingReceipt(ratingID: UUID().uuidString, conversationID: rating.conversationID, agent: nil, duplicate: false)
    }

    public func record(_ contact: RecordedContact) async throws(IngestError) -> RecordReceipt {
        do {
            try contact.validate()
        } catch {
            throw .invalid(error)
        }
        let result: Result<RecordReceipt, IngestError> = state.withLock { state in
            if let failure = state.failure { return .failure(failure) }
            Self.advance(contact.checkpoint, channel: contact.channelID, in: &state.checkpoints)
            if state.records.contains(where: { $0.channelID == contact.channelID && $0.externalID == contact.externalID }) {
                return .success(RecordReceipt(recordID: contact.externalID, duplicate: true, relatedMessageID: nil))
            }
            state.records.append(contact)
            return .success(RecordReceipt(recordID: contact.externalID, duplicate: false, relatedMessageID: nil))
        }
        return try result.get()
    }

    public func checkpoint(channel: ChannelID, scope: String) async throws(IngestError) -> String? {
        let result: Result<String?, IngestError> = state.withLock { state in
            if let failure = state.failure { return .failure(failure) }
            return .success(state.checkpoints["\(channel)/\(scope)"])
        }
        return try result.get()
    }

    /// The store's checkpoint rule: move from `expected` to `value`, else leave it.
    private static func advance(_ checkpoint: ChannelCheckpoint?, channel: ChannelID, in checkpoints: inout [String: String]) {
        guard let checkpoint else { return }
        let key = "\(channel)/\(checkpoint.scope)"
        if checkpoints[key] == checkpoint.expected { checkpoints[key] = checkpoint.value }
    }
}
