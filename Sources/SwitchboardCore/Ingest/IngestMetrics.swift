import Metrics
import Synchronization

/// The Ingestor's metric objects, created once per (channel, outcome) and cached off the hot path.
///
/// - `switchboard.contacts.ingested{channel,outcome}` — outcome is `accepted`, `duplicate`,
///   `rejected` (the sender's fault) or `failed` (ours; the sender should retry).
/// - `switchboard.ingest.duration{channel}` — time from `ingest` call to durable commit.
/// - `switchboard.ingest.batch_size` — items per group-commit transaction.
/// - `switchboard.ingest.commit.duration` — one group-commit transaction, handed to the store until
///   durable. Its rate of seconds per second is how busy the single commit loop is: near 1, ingest
///   is bound by the store's writer (see the README's performance section), not by HTTP.
/// - `switchboard.ingest.pending` — items waiting for the next transaction when one is taken (new
///   items are refused as overloaded beyond `ingest.maxPending`).
final class IngestMetrics: Sendable {
    private let factory: any MetricsFactory
    private let ingested: CounterFamily
    private let timers = Mutex<[String: Metrics.Timer]>([:])
    let batchSize: Recorder
    let commitDuration: Metrics.Timer
    let pending: Gauge

    init(factory: any MetricsFactory) {
        self.factory = factory
        self.ingested = CounterFamily(label: "switchboard.contacts.ingested", dimensions: ["channel", "outcome"], factory: factory)
        self.batchSize = Recorder(label: "switchboard.ingest.batch_size", dimensions: [], factory: factory)
        self.commitDuration = Metrics.Timer(label: "switchboard.ingest.commit.duration", dimensions: [], factory: factory)
        self.pending = Gauge(label: "switchboard.ingest.pending", dimensions: [], factory: factory)
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
