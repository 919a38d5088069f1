import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import SwitchboardCore
import SwitchboardStore

/// Posts SLA warnings and breaches to the configured webhook, signed like web chat callbacks
/// (`X-Switchboard-Timestamp`, `X-Switchboard-Signature: sha256=<hex HMAC-SHA256 of
/// "<timestamp>.<body>">`), retried from the outbox with backoff until the receiver answers 2xx.
///
/// Entries survive restarts in the outbox; delivery is at-least-once (`X-Switchboard-Delivery`
/// and the body's `id` let a receiver drop repeats).
final class TicketWebhookWorker: Service {
    private let store: any GatewayStore
    private let url: String
    private let secret: Data
    private let retry: RetryPolicy
    private let pollInterval: Duration
    private let logger: Logger
    let wakeup = Wakeup()
    private let stopping = Atomic<Bool>(false)
    private let client = Mutex<HTTPClient?>(nil)

    init(store: any GatewayStore, url: String, secret: String, retry: RetryPolicy, pollInterval: Duration, logger: Logger) {
        self.store = store
        self.url = url
        self.secret = Data(secret.utf8)
        self.retry = retry
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Runs until a graceful shutdown, which lets the post in flight finish and record its outcome.
    func run() async throws {
        await withGracefulShutdownHandler {
            while !stopping.load(ordering: .acquiring) && !Task.isCancelled {
                let worked = await deliverDue()
                if !worked && !stopping.load(ordering: .acquiring) { await wakeup.wait(timeout: await sleepDuration()) }
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .releasing)
            self.wakeup.signal()
        }
        try? await shutdownClient()
    }

    private func sleepDuration() async -> Duration {
        guard let next = try? await store.nextTicketWebhookDue() else { return pollInterval }
        let wait = next.timeIntervalSinceNow
        if wait <= 0 { return .milliseconds(10) }
        return min(pollInterval, .milliseconds(Int64(wait * 1000) + 1))
    }

    /// Sends one batch of due webhooks, in order; returns whether there was any.
    func deliverDue() async -> Bool {
        let due: [PendingWebhook]
        do {
            due = try await store.dueTicketWebhooks(now: Date(), limit: 32)
        } catch {
            logger.error("cannot read ticket webhooks; retrying", metadata: ["sb.error": "\(error)"])
            return false
        }
        for webhook in due {
            if stopping.load(ordering: .acquiring) { break }
            await deliver(webhook)
        }
        return !due.isEmpty
    }

    private func deliver(_ webhook: PendingWebhook) async {
        let attempt = webhook.attempts + 1
        let now = Date()
        do {
            try await post(webhook)
            try await store.markWebhookDelivered(webhook.id, at: Date())
            logger.debug("ticket webhook delivered", metadata: ["sb.event": "\(webhook.event)", "sb.delivery": "\(webhook.id)"])
        } catch let failure as WebhookFailure {
            do {
                if retry.shouldRetry(created: webhook.createdAt, now: now) {
                    let delay = retry.delay(afterAttempts: attempt, retryAfter: failure.retryAfter)
                    try await store.rescheduleWebhook(
                        webhook.id, attempts: attempt, nextAttemptAt: now.addingTimeInterval(delay), error: failure.reason)
                    logger.warning(
                        "ticket webhook failed; will retry",
                        metadata: [
                            "sb.event": "\(webhook.event)", "sb.attempt": "\(attempt)", "sb.retry_in_s": "\(Int(delay))",
                            "sb.error": "\(failure.reason)",
                        ])
                } else {
                    try await store.markWebhookFailed(webhook.id, attempts: attempt, at: now, error: failure.reason)
                    logger.error(
                        "ticket webhook given up", metadata: ["sb.event": "\(webhook.event)", "sb.error": "\(failure.reason)"])
                }
            } catch {
                logger.error("cannot record webhook outcome; it will be retried", metadata: ["sb.error": "\(error)"])
            }
        } catch {
            logger.error("cannot record webhook outcome; it will be retried", metadata: ["sb.error": "\(error)"])
        }
    }

    private func post(_ webhook: PendingWebhook) async throws {
        let body = Data(webhook.body.utf8)
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Switchboard-Event", value: webhook.event)
        request.headers.add(name: "X-Switchboard-Delivery", value: String(webhook.id))
        request.headers.add(name: "X-Switchboard-Timestamp", value: String(timestamp))
        request.headers.add(name: "X-Switchboard-Signature", value: Self.signature(body: body, timestamp: timestamp, key: SymmetricKey(data: secret)))
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await httpClient().execute(request, timeout: .seconds(10))
        } catch {
            throw WebhookFailure(reason: "webhook unreachable: \(error)", retryAfter: nil)
        }
        _ = try? await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(response.status.code) else {
            let retryAfter = response.headers.first(name: "retry-after").flatMap(Double.init)
            throw WebhookFailure(reason: "webhook answered \(response.status.code)", retryAfter: retryAfter)
        }
    }

    /// `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
    static func signature(body: Data, timestamp: Int, key: SymmetricKey) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        return "sha256=" + HMAC<SHA256>.authenticationCode(for: message, using: key).hexString
    }

    private func httpClient() -> HTTPClient {
        client.withLock { client in
            if let client { return client }
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
            let created = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            client = created
            return created
        }
    }

    private func shutdownClient() async throws {
        let existing = client.withLock { client -> HTTPClient? in
            defer { client = nil }
            return client
        }
        try await existing?.shutdown()
    }
}

private struct WebhookFailure: Error {
    var reason: String
    var retryAfter: Double?
}
