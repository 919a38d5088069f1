import Metrics
import Synchronization

/// Counters of one label with varying dimension values, created on first use and cached, so
/// the hot path does a dictionary lookup instead of creating a metric object.
///
/// ```swift
/// let rejected = CounterFamily(label: "switchboard.webhook.rejected", dimensions: ["channel", "reason"], factory: factory)
/// rejected.increment("web", "bad_signature")
/// ```
public final class CounterFamily: Sendable {
    private let label: String
    private let dimensionNames: [String]
    private let factory: any MetricsFactory
    private let counters = Mutex<[[String]: Counter]>([:])

    public init(label: String, dimensions: [String], factory: any MetricsFactory) {
        self.label = label
        self.dimensionNames = dimensions
        self.factory = factory
    }

    /// Increments the counter for these dimension values, given in the order of `dimensions`.
    public func increment(_ values: String..., by amount: Int64 = 1) {
        let counter = counters.withLock { cache in
            if let counter = cache[values] { return counter }
            let counter = Counter(label: label, dimensions: Array(zip(dimensionNames, values)), factory: factory)
            cache[values] = counter
            return counter
        }
        counter.increment(by: amount)
    }
}
