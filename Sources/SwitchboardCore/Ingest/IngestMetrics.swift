import Metrics
import Synchronization

/// The Ingestor's metric objects, created once per (channel, outcome) and cached off the hot path.
///
/// - `switchboard.contacts.ingested{channel,outcome}` — outcome is `accepted`, `duplicate`,
///   `rejected` (the sender's fault) or `failed` (ours; the sender should retry).
/// - `switchboard.ingest.duration{channel}` — time from `ingest` call to durable commit.
/// - `switchboard.ingest.batch_size` — items per group-commit transaction.
final class IngestMetrics: Sendable {
    private let factory: any MetricsFactory
    private let ingested: CounterFamily
    private let timers = Mutex<[String: Metrics.Timer]>([:])
    let batchSize: Recorder

    init(factory: any MetricsFactory) {
        self.factory = factory
        self.ingested = CounterFamily(label: "switchboard.contacts.ingested", dimensions: ["channel", "outcome"], factory: factory)
        self.batchSize = Recorder(label: "switchboard.ingest.batch_size", dimensions: [], factory: factory)
    }

    func record(channel: String, outcome: String) {
        ingested.increment(channel, outcome)
    }

    func latency(channel: String, since start: ContinuousClock.Instant) {
        let timer = timers.withLock { cache in
            if let timer = cache[channel] { return timer }
            let timer = Metrics.Timer(label: "switchboard.ingest.duration", dimensions: [("channel", channel)], factory: factory)
            cache[channel] = timer
            return timer
        }
        timer.record(duration: ContinuousClock.now - start)
    }
}
