import Foundation
import Logging
import Metrics
import ServiceLifecycle
import SwitchboardCore
import SwitchboardStore
import Synchronization

/// Delivers agent replies from the outbox through their channel, until each is acknowledged.
///
/// Entries survive restarts in the store; a failure reschedules the entry with exponential
/// backoff; after ``RetryPolicy/giveUpAfter`` (or a permanent error) the message is marked
/// `failed` with the reason. Delivery is at-least-once: a crash between the channel's ack and
/// `markDelivered` resends the reply, which carries the same message id for the receiver to
/// dedupe. On graceful shutdown it finishes the sends in flight and stops.
public final class DeliveryWorker: Service {
    private let store: any OutboxStore
    private let blobs: any BlobStore
    private let adapters: [ChannelID: any OutboundChannelAdapter]
    private let retry: RetryPolicy
    private let pollInterval: Duration
    private let concurrency: Int
    private let logger: Logger
    private let wakeup = Wakeup()
    private let stopping = Atomic<Bool>(false)
    private let outcomes: CounterFamily
    private let depthPending: Gauge
    private let depthFailed: Gauge
    private let depthEvents: Gauge
    private let lastDepthRefresh = Mutex<ContinuousClock.Instant?>(nil)

    public init(
        store: any OutboxStore, blobs: any BlobStore, adapters: [ChannelID: any OutboundChannelAdapter], retry: RetryPolicy,
        pollInterval: Duration, concurrency: Int, logger: Logger, metricsFactory: any MetricsFactory
    ) {
        self.store = store
        self.blobs = blobs
        self.adapters = adapters
        self.retry = retry
        self.pollInterval = pollInterval
        self.concurrency = max(1, concurrency)
        self.logger = logger
        self.outcomes = CounterFamily(label: "switchboard.deliveries", dimensions: ["channel", "outcome"], factory: metricsFactory)
        self.depthPending = Gauge(label: "switchboard.outbox.depth", dimensions: [("state", "pending")], factory: metricsFactory)
        self.depthFailed = Gauge(label: "switchboard.outbox.depth", dimensions: [("state", "failed")], factory: metricsFactory)
        self.depthEvents = Gauge(label: "switchboard.outbox.depth", dimensions: [("state", "event")], factory: metricsFactory)
    }

    /// Asks the worker to look for due deliveries now (after a reply was queued).
    public func poke() { wakeup.signal() }

    public func run() async {
        await withGracefulShutdownHandler {
            while !stopping.load(ordering: .acquiring) && !Task.isCancelled {
                let worked = await deliverDueBatch()
                await refreshDepth()
                if !worked && !stopping.load(ordering: .acquiring) {
                    await wakeup.wait(timeout: await sleepDuration())
                }
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .releasing)
            self.wakeup.signal()
        }
    }

    private func sleepDuration() async -> Duration {
        guard let next = try? await store.nextDeliveryDue() else { return pollInterval }
        let wait = next.timeIntervalSinceNow
        if wait <= 0 { return .milliseconds(10) }
        return min(pollInterval, .milliseconds(Int64(wait * 1000) + 1))
    }

    /// Delivers one batch of due entries concurrently; returns whether there was any.
    func deliverDueBatch() async -> Bool {
        let due: [PendingDelivery]
        do {
            due = try await store.dueDeliveries(now: Date(), limit: concurrency * 4)
        } catch {
            logger.error("cannot read the outbox; retrying", metadata: ["sb.error": "\(error)"])
            return false
        }
        guard !due.isEmpty else { return false }
        await withTaskGroup(of: Void.self) { group in
            var iterator = due.makeIterator()
            for _ in 0..<concurrency {
                guard let delivery = iterator.next() else { break }
                group.addTask { await self.deliver(delivery) }
            }
            while await group.next() != nil {
                if let delivery = iterator.next() { group.addTask { await self.deliver(delivery) } }
            }
        }
        return true
    }

    private func deliver(_ pending: PendingDelivery) async {
        let attempt = pending.attempts + 1
        var logger = self.logger
        logger[metadataKey: "sb.channel"] = "\(pending.channelID)"
        logger[metadataKey: "sb.delivery"] = "\(pending.id)"
        logger[metadataKey: "sb.message"] = "\(pending.message.messageID)"
        do {
            guard let adapter = adapters[pending.channelID] else {
                throw DeliveryError.retryable("channel \(pending.channelID) is not configured for outbound delivery")
            }
            var attachments: [OutboundAttachment] = []
            for attachment in pending.message.attachments {
                guard let data = try? blobs.get(attachment.sha256) else {
                    throw DeliveryError.permanent("attachment blob \(attachment.sha256) is missing")
                }
                attachments.append(OutboundAttachment(attachment: attachment, data: data))
            }
            let delivery = OutboundDelivery(
                deliveryID: pending.id, attempt: attempt, message: pending.message, attachments: attachments)
            try await adapter.send(delivery)
            try await store.markDelivered(pending.id, at: Date())
            count(channel: pending.channelID, outcome: "delivered")
            logger.debug("reply delivered", metadata: ["sb.attempt": "\(attempt)"])
        } catch let error as DeliveryError {
            await handleFailure(pending, attempt: attempt, error: error, logger: logger)
        } catch {
            logger.error("cannot record delivery outcome; it will be retried", metadata: ["sb.error": "\(error)"])
        }
    }

    private func handleFailure(_ pending: PendingDelivery, attempt: Int, error: DeliveryError, logger: Logger) async {
        let now = Date()
        do {
            if error.isRetryable && retry.shouldRetry(created: pending.message.createdAt, now: now) {
                let retryAfter = error.retryAfter.map { Double($0.components.seconds) }
                let delay = retry.delay(afterAttempts: attempt, retryAfter: retryAfter)
                try await store.reschedule(
                    pending.id, attempts: attempt, nextAttemptAt: now.addingTimeInterval(delay), error: error.reason)
                count(channel: pending.channelID, outcome: "retried")
                logger.warning(
                    "reply delivery failed; will retry",
                    metadata: ["sb.attempt": "\(attempt)", "sb.retry_in_s": "\(Int(delay))", "sb.error": "\(error.reason)"])
            } else {
                try await store.markFailed(pending.id, attempts: attempt, at: now, error: error.reason)
                count(channel: pending.channelID, outcome: "failed")
                logger.error("reply delivery failed permanently", metadata: ["sb.attempt": "\(attempt)", "sb.error": "\(error.reason)"])
            }
        } catch {
            logger.error("cannot record delivery failure; it will be retried", metadata: ["sb.error": "\(error)"])
        }
    }

    private func count(channel: ChannelID, outcome: String) {
        outcomes.increment(channel.rawValue, outcome)
    }

    /// Updates the depth gauges, at most every 5 seconds.
    private func refreshDepth() async {
        let now = ContinuousClock.now
        let due = lastDepthRefresh.withLock { last -> Bool in
            if let last, now - last < .seconds(5) { return false }
            last = now
            return true
        }
        guard due, let depth = try? await store.outboxDepth() else { return }
        depthPending.record(depth.pendingDeliveries)
        depthFailed.record(depth.failedDeliveries)
        depthEvents.record(depth.events)
    }
}
