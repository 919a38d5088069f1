import Metrics
import SwitchboardCore

/// The mail channel's own metrics (ingest outcomes are also counted by the Ingestor).
///
/// - `switchboard_email_messages_total{channel, outcome}`: contact, recorded, duplicate, failed.
/// - `switchboard_email_sessions_ended_total{channel, reason}`: why IMAP sessions ended
///   (connect, tls, authentication, closed, timeout, store, …) — each one is a reconnect.
/// - `switchboard_email_replies_total{channel, outcome}`: replies handed to the relay (`sent`),
///   put off by it or by the network (`deferred`, retried), or refused with 5xx (`refused`).
struct EmailMetrics: Sendable {
    let messages: CounterFamily
    let sessions: CounterFamily
    let replies: CounterFamily

    init(factory: any MetricsFactory) {
        messages = CounterFamily(label: "switchboard_email_messages_total", dimensions: ["channel", "outcome"], factory: factory)
        sessions = CounterFamily(label: "switchboard_email_sessions_ended_total", dimensions: ["channel", "reason"], factory: factory)
        replies = CounterFamily(label: "switchboard_email_replies_total", dimensions: ["channel", "outcome"], factory: factory)
    }
}
