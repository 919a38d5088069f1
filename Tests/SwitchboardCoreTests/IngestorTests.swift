import Foundation
import Logging
import Metrics
import ServiceLifecycle
import SwitchboardCore
import SwitchboardTesting
import Synchronization
import Testing

/// A committer that records the batches it is given and answers like a store would.
final class RecordingCommitter: IngestCommitter {
    let batches = Mutex<[[IngestItem]]>([])
    let delay: Duration
    let poisonExternalID: String?

    init(delay: Duration = .milliseconds(2), poisonExternalID: String? = nil) {
        self.delay = delay
        self.poisonExternalID = poisonExternalID
    }

    struct Poison: Error {}

    func commit(_ batch: [IngestItem], policy: ThreadingPolicy, now: Date) async throws -> [Result<IngestItemOutcome, IngestError>] {
        try await Task.sleep(for: delay)  // stands in for the fsync that batching amortizes
        batches.withLock { $0.append(batch) }
        return try batch.map { item in
            switch item {
            case .contact(let prepared):
                if prepared.contact.externalID == poisonExternalID { throw Poison() }
                return .success(
                    .contact(
                        IngestReceipt(
                            customerID: .generate(), conversationID: .generate(), conversationNumber: 1,
                            messageID: prepared.messageID, duplicate: false, newConversation: true)))
            case .rating(let rating):
                return .success(.rating(RatingReceipt(ratingID: "r", conversationID: rating.conversationID, agent: nil, duplicate: false)))
            case .recorded(let record):
                if record.externalID == poisonExternalID { throw Poison() }
                return .success(.recorded(RecordReceipt(recordID: record.externalID, duplicate: false, relatedMessageID: nil)))
            }
        }
    }

    func checkpoint(channel: ChannelID, scope: String) async throws -> String? { nil }

    var batchSizes: [Int] { batches.withLock { $0.map(\.count) } }
}

struct MemoryBlobs: BlobStore {
    func put(_ data: Data) throws -> String { Attachment.digest(of: data) }
    func get(_ sha256: String) throws -> Data? { nil }
}

/// Runs an Ingestor as a service for the duration of `body`, then shuts it down gracefully.
func withRunningIngestor<T: Sendable>(
    _ ingestor: Ingestor, _ body: @Sendable () async throws -> T
) async throws -> T {
    let group = ServiceGroup(services: [ingestor], logger: Logger(label: "test"))
    let runner = Task { try await group.run() }
    defer { runner.cancel() }
    let result = try await body()
    await group.triggerGracefulShutdown()
    try await runner.value
    return result
}

@Suite("Ingestor")
struct IngestorTests {
    func makeIngestor(_ committer: RecordingCommitter, maxBatch: Int = 512, maxPending: Int = 20_000) -> Ingestor {
        Ingestor(
            committer: committer, blobs: MemoryBlobs(),
            configuration: .init(maxBatchSize: maxBatch, maxPending: maxPending), logger: Logger(label: "test"),
            metricsFactory: NOOPMetricsHandler.instance)
    }

    func ingestConcurrently(_ ingestor: Ingestor, count: Int) async throws -> [IngestReceipt] {
        try await withThrowingTaskGroup(of: IngestReceipt.self) { group in
            for index in 0..<count {
                group.addTask { try await ingestor.ingest(Fixtures.contact(externalID: "m-\(index)", visitor: "v\(index)")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test("concurrent contacts share transactions (group commit)")
    func groupCommit() async throws {
        let committer = RecordingCommitter()
        let ingestor = makeIngestor(committer, maxBatch: 64)
        let receipts = try await withRunningIngestor(ingestor) { try await ingestConcurrently(ingestor, count: 300) }
        #expect(receipts.count == 300)
        let sizes = committer.batchSizes
        #expect(sizes.reduce(0, +) == 300)
        #expect(sizes.allSatisfy { $0 <= 64 })
        #expect(sizes.count < 300 / 2, "expected batching, got \(sizes.count) transactions for 300 contacts")
    }

    @Test("submitInOrder queues its items back to back and in order, among concurrent ingests")
    func orderedSubmission() async throws {
        let committer = RecordingCommitter()
        let ingestor = makeIngestor(committer, maxBatch: 16)
        var submissions: [ContactSubmission] = (0..<40).map { .contact(Fixtures.contact(externalID: "o-\($0)")) }
        submissions[5] = .contact(Fixtures.contact(externalID: "o-5", text: nil))  // invalid: no text
        submissions[7] = .recorded(
            RecordedContact(
                channelID: ChannelID(rawValue: "web"), channelKind: .webchat, externalID: "o-7", occurredAt: Date(),
                sender: nil, summary: nil, reason: .bulk, detail: "test",
                raw: RawPayload(contentType: "text/plain", bytes: Data())))
        let ordered = submissions
        let results = try await withRunningIngestor(ingestor) {
            async let noise = ingestConcurrently(ingestor, count: 100)
            let results = await ingestor.submitInOrder(ordered)
            _ = try await noise
            return results
        }
        #expect(results.count == 40)
        #expect(results[5].failure?.validationError?.field == "text")
        guard case .success(.recorded(let record)) = results[7] else {
            Issue.record("expected a record outcome at 7, got \(results[7])")
            return
        }
        #expect(record.recordID == "o-7")
        #expect(results.enumerated().allSatisfy { $0.offset == 5 || (try? $0.element.get()) != nil })
        let committed = committer.batches.withLock { $0.flatMap { $0 } }.compactMap { item -> String? in
            switch item {
            case .contact(let prepared): prepared.contact.externalID
            case .recorded(let record): record.externalID
            case .rating: nil
            }
        }
        let ours = (0..<40).filter { $0 != 5 }.map { "o-\($0)" }
        guard let first = committed.firstIndex(of: "o-0") else {
            Issue.record("o-0 never committed")
            return
        }
        #expect(Array(committed[first..<min(first + ours.count, committed.count)]) == ours)
    }

    @Test("a batch size of 1 commits each contact alone")
    func noGroupCommit() async throws {
        let committer = RecordingCommitter(delay: .zero)
        let ingestor = makeIngestor(committer, maxBatch: 1)
        _ = try await withRunningIngestor(ingestor) { try await ingestConcurrently(ingestor, count: 50) }
        #expect(committer.batchSizes == Array(repeating: 1, count: 50))
    }

    @Test("an invalid contact is refused before reaching the store")
    func invalid() async throws {
        let committer = RecordingCommitter()
        let ingestor = makeIngestor(committer)
        _ = try await withRunningIngestor(ingestor) {
            await #expect {
                _ = try await ingestor.ingest(Fixtures.contact(externalID: ""))
            } throws: { error in
                (error as? IngestError)?.validationError?.field == "id"
            }
        }
        #expect(committer.batchSizes.isEmpty)
    }

    @Test("one poison item fails alone; the rest of its batch is committed")
    func poisonIsolation() async throws {
        let committer = RecordingCommitter(delay: .milliseconds(20), poisonExternalID: "m-7")
        let ingestor = makeIngestor(committer)
        let outcomes = try await withRunningIngestor(ingestor) {
            await withTaskGroup(of: (Int, Bool).self) { group in
                for index in 0..<20 {
                    group.addTask {
                        do {
                            _ = try await ingestor.ingest(Fixtures.contact(externalID: "m-\(index)", visitor: "v"))
                            return (index, true)
                        } catch {
                            return (index, false)
                        }
                    }
                }
                return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
        }
        #expect(outcomes[7] == false)
        let othersSucceeded = outcomes.filter { $0.key != 7 }.allSatisfy { $0.value }
        #expect(othersSucceeded)
    }

    @Test("after shutdown new contacts are refused as retryable")
    func shutdown() async throws {
        let committer = RecordingCommitter()
        let ingestor = makeIngestor(committer)
        _ = try await withRunningIngestor(ingestor) { try await ingestConcurrently(ingestor, count: 5) }
        await #expect {
            _ = try await ingestor.ingest(Fixtures.contact())
        } throws: { error in
            (error as? IngestError) == .shuttingDown && (error as? IngestError)?.isRetryable == true
        }
    }

    @Test("a full queue refuses with overloaded instead of growing without bound")
    func overloaded() async throws {
        let committer = RecordingCommitter(delay: .milliseconds(300))
        let ingestor = makeIngestor(committer, maxBatch: 1, maxPending: 1)
        let results = try await withRunningIngestor(ingestor) {
            await withTaskGroup(of: Bool.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        do {
                            _ = try await ingestor.ingest(Fixtures.contact(externalID: "o-\(index)"))
                            return true
                        } catch let error as IngestError {
                            return error == .overloaded ? false : true
                        } catch {
                            return true
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
        }
        #expect(results.contains(false), "some contacts must be refused as overloaded")
        #expect(results.contains(true))
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
