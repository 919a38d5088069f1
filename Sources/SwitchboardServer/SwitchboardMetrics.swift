import Metrics
import Prometheus

/// The metrics backend of a gateway: a Prometheus registry that `/metrics` exports.
///
/// Our metric labels are dotted (`switchboard.contacts.ingested`); Prometheus names may not
/// contain dots, so they are exported with underscores (`switchboard_contacts_ingested`).
public enum SwitchboardMetrics {
    public static func makeFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (name.replacingDots(), labels.map { ($0.0.replacingDots(), $0.1) })
        }
        factory.durationHistogramBuckets["switchboard_ingest_duration"] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5),
        ]
        factory.valueHistogramBuckets["switchboard_ingest_batch_size"] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
        return factory
    }
}

extension String {
    fileprivate func replacingDots() -> String {
        String(unicodeScalars.map { $0 == "." || $0 == "-" ? "_" : Character($0) })
    }
}
