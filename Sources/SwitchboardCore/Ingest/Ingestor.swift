import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// The single path every inbound contact takes into the store, with group commit.
///
/// Adapters call ``ingest(_:)`` (through ``ContactSink``) concurrently. Each call validates its
/// contact and writes its attachment blobs on the caller's task, then joins a queue. The
/// Ingestor's ``run()`` loop takes everything queued (up to ``Configuration/maxBatchSize``) and
/// commits it in **one** store transaction, so one fsync is shared by every contact in the batch;
/// while that commit runs, the next batch accumulates. Each caller resumes only after its batch
/// is durable, which is when its adapter may acknowledge the channel.
///
/// Run it as a `Service` in the gateway's `ServiceGroup`. On graceful shutdown it stops taking
/// new work (``IngestError/shuttingDown``), commits what is queued, and returns.
public final class Ingestor: ContactSink, Service {
    /// Tuning knobs, each with its default.
    public struct Configuration: Sendable {
        /// Most items committed in one transaction. Default 512. `1` disables group commit.
        public var maxBatchSize: Int
        /// Most items waiting for a commit before new ones are refused as overloaded. Default 20,000.
        public var maxPending: Int
        /// How chat-like contacts thread into conversations.
        public var threading: ThreadingPolicy

        public init(maxBatchSize: Int = 512, maxPending: Int = 20_000, threading: ThreadingPolicy = ThreadingPolicy()) {
            self.maxBatchSize = max(1, maxBatchSize)
            self.maxPending = max(1, maxPending)
            self.threading = threading
        }
    }

    private struct Waiter: Sendable {
        var item: IngestItem
        var continuation: CheckedContinuation<Result<IngestItemOutcome, IngestError>, Never>
    }

    private struct State: Sendable {
        var pending: [Waiter] = []
        var accepting = true
    }

    public let configuration: Configuration
    private let committer: any IngestCommitter
    private let blobs: any BlobStore
    private let logger: Logger
    private let metrics: IngestMetrics
    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let onCommit: @Sendable () -> Void

    /// `onCommit` runs after each committed batch (the gateway wakes routing with it).
    public init(
        committer: any IngestCommitter, blobs: any BlobStore, configuration: Configuration = Configuration(),
        logger: Logger, metricsFactory: any MetricsFactory, onCommit: @escaping @Sendable () -> Void = {}
    ) {
        self.onCommit = onCommit
        self.committer = committer
        self.blobs = blobs
        self.configuration = configuration
        self.logger = logger
        self.metrics = IngestMetrics(factory: metricsFactory)
        (self.wakeups, self.wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: ContactSink

    public func ingest(_ contact: InboundContact) async throws(IngestError) -> IngestReceipt {
        let started = ContinuousClock.now
        let channel = contact.channelID.rawValue
        do {
            try contact.validate()
        } catch {
            metrics.record(channel: channel, outcome: "rejected")
            throw .invalid(error)
        }
        var stored: [Attachment] = []
        stored.reserveCapacity(contact.attachments.count)
        for attachment in contact.attachments {
            do {
                let digest = try blobs.put(attachment.data)
                stored.append(
                    Attachment(
                        sha256: digest, size: attachment.data.count, name: attachment.name,
                        contentType: attachment.contentType, contentID: attachment.contentID))
            } catch {
                logger.error(
                    "attachment could not be stored; contact not acknowledged",
                    metadata: ["sb.channel": "\(channel)", "sb.contact": "\(contact.externalID)", "sb.error": "\(error)"])
                metrics.record(channel: channel, outcome: "failed")
                throw .storeUnavailable("attachment storage failed")
            }
        }
        let prepared = PreparedContact(contact: contact, attachments: stored, messageID: .generate())
        let result = await submit(.contact(prepared))
        switch result {
        case .success(.contact(let receipt)):
            metrics.record(channel: channel, outcome: receipt.duplicate ? "duplicate" : "accepted")
            metrics.latency(channel: channel, since: started)
            return receipt
        case .success(.rating):
            metrics.record(channel: channel, outcome: "failed")
            throw .storeUnavailable("store answered a contact with a rating outcome")
        case .failure(let error):
            metrics.record(channel: channel, outcome: error.isRetryable ? "failed" : "rejected")
            throw error
        }
    }

    public func recordRating(_ rating: RatingSubmission) async throws(IngestError) -> RatingReceipt {
        do {
            try rating.validate()
        } catch {
            throw .invalid(error)
        }
        switch await submit(.rating(rating)) {
        case .success(.rating(let receipt)): return receipt
        case .success(.contact): throw .storeUnavailable("store answered a rating with a contact outcome")
        case .failure(let error): throw error
        }
    }

    // MARK: Group commit

    private func submit(_ item: IngestItem) async -> Result<IngestItemOutcome, IngestError> {
        await withCheckedContinuation { continuation in
            let refusal: IngestError? = state.withLock { state in
                guard state.accepting else { return .shuttingDown }
                guard state.pending.count < configuration.maxPending else { return .overloaded }
                state.pending.append(Waiter(item: item, continuation: continuation))
                return nil
            }
            if let refusal {
                continuation.resume(returning: .failure(refusal))
            } else {
                wake.yield()
            }
        }
    }

    /// Commits queued work until graceful shutdown, then commits what is left and returns.
    public func run() async {
        await withGracefulShutdownHandler {
            for await _ in wakeups {
                await drain()
                if state.withLock({ !$0.accepting && $0.pending.isEmpty }) { break }
            }
        } onGracefulShutdown: {
            self.state.withLock { $0.accepting = false }
            self.wake.yield()
        }
        // Cancelled or drained: whatever is still queued was never committed; say so.
        let leftovers = state.withLock { state -> [Waiter] in
            state.accepting = false
            defer { state.pending.removeAll() }
            return state.pending
        }
        for waiter in leftovers { waiter.continuation.resume(returning: .failure(.shuttingDown)) }
    }

    private func takeBatch() -> [Waiter] {
        state.withLock { state in
            if state.pending.count <= configuration.maxBatchSize {
                defer { state.pending.removeAll(keepingCapacity: true) }
                return state.pending
            }
            let batch = Array(state.pending.prefix(configuration.maxBatchSize))
            state.pending.removeFirst(configuration.maxBatchSize)
            return batch
        }
    }

    private func drain() async {
        while true {
            let batch = takeBatch()
            guard !batch.isEmpty else { return }
            metrics.batchSize.record(batch.count)
            do {
                let outcomes = try await committer.commit(
                    batch.map(\.item), policy: configuration.threading, now: Date())
                guard outcomes.count == batch.count else {
                    throw IngestError.storeUnavailable("store returned \(outcomes.count) outcomes for \(batch.count) items")
                }
                for (waiter, outcome) in zip(batch, outcomes) { waiter.continuation.resume(returning: outcome) }
            } catch {
                await recoverFailedBatch(batch, error: error)
            }
            onCommit()
        }
    }

    /// A batch failed as a whole: commit its items one by one so one poison item cannot take
    /// the others down with it. Each still fails only with a retryable error, never silently.
    private func recoverFailedBatch(_ batch: [Waiter], error: any Error) async {
        logger.error(
            "ingest batch commit failed; retrying items one by one",
            metadata: ["sb.batch_size": "\(batch.count)", "sb.error": "\(error)"])
        guard batch.count > 1 else {
            batch[0].continuation.resume(returning: .failure(.storeUnavailable("\(error)")))
            return
        }
        for waiter in batch {
            do {
                let outcome = try await committer.commit([waiter.item], policy: configuration.threading, now: Date())
                waiter.continuation.resume(returning: outcome.first ?? .failure(.storeUnavailable("no outcome")))
            } catch {
                logger.error("ingest item commit failed", metadata: ["sb.error": "\(error)"])
                waiter.continuation.resume(returning: .failure(.storeUnavailable("\(error)")))
            }
        }
    }
}
