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
        var complete: @Sendable (Result<IngestItemOutcome, IngestError>) -> Void
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
        let prepared = try prepare(contact)
        let result = await submit(.contact(prepared))
        return try finish(contact, result: result, started: started)
    }

    public func record(_ contact: RecordedContact) async throws(IngestError) -> RecordReceipt {
        try check(contact)
        let result = await submit(.recorded(contact))
        return try finish(contact, result: result)
    }

    public func submitInOrder(_ submissions: [ContactSubmission]) async -> [Result<ContactOutcome, IngestError>] {
        let started = ContinuousClock.now
        var results = [Result<ContactOutcome, IngestError>?](repeating: nil, count: submissions.count)
        var items: [IngestItem] = []
        var positions: [Int] = []
        for (index, submission) in submissions.enumerated() {
            do throws(IngestError) {
                switch submission {
                case .contact(let contact): items.append(.contact(try prepare(contact)))
                case .recorded(let record):
                    try check(record)
                    items.append(.recorded(record))
                }
                positions.append(index)
            } catch {
                results[index] = .failure(error)
            }
        }
        let outcomes = items.isEmpty ? [] : await submit(items)
        for (position, outcome) in zip(positions, outcomes) {
            do throws(IngestError) {
                switch submissions[position] {
                case .contact(let contact):
                    results[position] = .success(.contact(try finish(contact, result: outcome, started: started)))
                case .recorded(let record):
                    results[position] = .success(.recorded(try finish(record, result: outcome)))
                }
            } catch {
                results[position] = .failure(error)
            }
        }
        return results.map { $0 ?? .failure(.storeUnavailable("no outcome")) }
    }

    public func checkpoint(channel: ChannelID, scope: String) async throws(IngestError) -> String? {
        do {
            return try await committer.checkpoint(channel: channel, scope: scope)
        } catch {
            throw .storeUnavailable("checkpoint could not be read: \(error)")
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
        case .success: throw .storeUnavailable("store answered a rating with another outcome")
        case .failure(let error): throw error
        }
    }

    private func check(_ record: RecordedContact) throws(IngestError) {
        do {
            try record.validate()
        } catch {
            metrics.record(channel: record.channelID.rawValue, outcome: "rejected")
            throw .invalid(error)
        }
    }

    /// Validates a contact and writes its attachment blobs (on the caller's task).
    private func prepare(_ contact: InboundContact) throws(IngestError) -> PreparedContact {
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
        return PreparedContact(contact: contact, attachments: stored, messageID: .generate())
    }

    private func finish(
        _ contact: InboundContact, result: Result<IngestItemOutcome, IngestError>, started: ContinuousClock.Instant
    ) throws(IngestError) -> IngestReceipt {
        let channel = contact.channelID.rawValue
        switch result {
        case .success(.contact(let receipt)):
            metrics.record(channel: channel, outcome: receipt.duplicate ? "duplicate" : "accepted")
            metrics.latency(channel: channel, since: started)
            return receipt
        case .success:
            metrics.record(channel: channel, outcome: "failed")
            throw .storeUnavailable("store answered a contact with another outcome")
        case .failure(let error):
            metrics.record(channel: channel, outcome: error.isRetryable ? "failed" : "rejected")
            throw error
        }
    }

    private func finish(_ record: RecordedContact, result: Result<IngestItemOutcome, IngestError>) throws(IngestError)
        -> RecordReceipt
    {
        let channel = record.channelID.rawValue
        switch result {
        case .success(.recorded(let receipt)):
            metrics.record(channel: channel, outcome: receipt.duplicate ? "duplicate" : "recorded")
            return receipt
        case .success:
            metrics.record(channel: channel, outcome: "failed")
            throw .storeUnavailable("store answered a record with another outcome")
        case .failure(let error):
            metrics.record(channel: channel, outcome: error.isRetryable ? "failed" : "rejected")
            throw error
        }
    }

    // MARK: Group commit

    /// Queues one item (the web chat hot path: no collector, one continuation).
    private func submit(_ item: IngestItem) async -> Result<IngestItemOutcome, IngestError> {
        await withCheckedContinuation { continuation in
            let refusal: IngestError? = state.withLock { state in
                guard state.accepting else { return .shuttingDown }
                guard state.pending.count < configuration.maxPending else { return .overloaded }
                state.pending.append(Waiter(item: item) { continuation.resume(returning: $0) })
                return nil
            }
            if let refusal {
                continuation.resume(returning: .failure(refusal))
            } else {
                wake.yield()
            }
        }
    }

    /// Queues `items` back to back (nothing else lands between them, so they commit in order)
    /// and returns their outcomes once each is committed or failed.
    private func submit(_ items: [IngestItem]) async -> [Result<IngestItemOutcome, IngestError>] {
        await withCheckedContinuation { continuation in
            let collector = OutcomeCollector(count: items.count, continuation: continuation)
            let refusal: IngestError? = state.withLock { state in
                guard state.accepting else { return .shuttingDown }
                guard state.pending.count + items.count <= max(configuration.maxPending, items.count) else {
                    return .overloaded
                }
                for (index, item) in items.enumerated() {
                    state.pending.append(Waiter(item: item) { collector.set(index, $0) })
                }
                return nil
            }
            if let refusal {
                for index in items.indices { collector.set(index, .failure(refusal)) }
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
        for waiter in leftovers { waiter.complete(.failure(.shuttingDown)) }
    }

    /// The next batch, and how many items were waiting when it was taken.
    private func takeBatch() -> (batch: [Waiter], waiting: Int) {
        state.withLock { state in
            let waiting = state.pending.count
            if waiting <= configuration.maxBatchSize {
                defer { state.pending.removeAll(keepingCapacity: true) }
                return (state.pending, waiting)
            }
            let batch = Array(state.pending.prefix(configuration.maxBatchSize))
            state.pending.removeFirst(configuration.maxBatchSize)
            return (batch, waiting)
        }
    }

    private func drain() async {
        while true {
            let (batch, waiting) = takeBatch()
            metrics.pending.record(waiting)
            guard !batch.isEmpty else { return }
            metrics.batchSize.record(batch.count)
            do {
                let started = ContinuousClock.now
                let outcomes = try await committer.commit(
                    batch.map(\.item), policy: configuration.threading, now: Date())
                metrics.commitDuration.record(duration: ContinuousClock.now - started)
                guard outcomes.count == batch.count else {
                    throw IngestError.storeUnavailable("store returned \(outcomes.count) outcomes for \(batch.count) items")
                }
                for (waiter, outcome) in zip(batch, outcomes) { waiter.complete(outcome) }
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
            batch[0].complete(.failure(.storeUnavailable("\(error)")))
            return
        }
        for waiter in batch {
            do {
                let outcome = try await committer.commit([waiter.item], policy: configuration.threading, now: Date())
                waiter.complete(outcome.first ?? .failure(.storeUnavailable("no outcome")))
            } catch {
                logger.error("ingest item commit failed", metadata: ["sb.error": "\(error)"])
                waiter.complete(.failure(.storeUnavailable("\(error)")))
            }
        }
    }
}

/// Gathers the outcomes of items queued together and resumes their caller once all are in.
private final class OutcomeCollector: Sendable {
    private struct State {
        var results: [Result<IngestItemOutcome, IngestError>?]
        var remaining: Int
        var continuation: CheckedContinuation<[Result<IngestItemOutcome, IngestError>], Never>?
    }

    private let state: Mutex<State>

    init(count: Int, continuation: CheckedContinuation<[Result<IngestItemOutcome, IngestError>], Never>) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count, continuation: continuation))
    }

    func set(_ index: Int, _ result: Result<IngestItemOutcome, IngestError>) {
        let finished = state.withLock { state -> (CheckedContinuation<[Result<IngestItemOutcome, IngestError>], Never>, [Result<IngestItemOutcome, IngestError>])? in
            guard state.results[index] == nil else { return nil }
            state.results[index] = result
            state.remaining -= 1
            guard state.remaining == 0, let continuation = state.continuation else { return nil }
            state.continuation = nil
            return (continuation, state.results.map { $0 ?? .failure(.storeUnavailable("no outcome")) })
        }
        if let (continuation, results) = finished { continuation.resume(returning: results) }
    }
}
