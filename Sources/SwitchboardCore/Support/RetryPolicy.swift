import Foundation

/// When to try again after a failure: exponential backoff with jitter, capped, and a deadline
/// after which the work is given up. Used for outbound deliveries (which are marked failed after
/// the deadline) and for pull channels' reconnects (which never give up).
public struct RetryPolicy: Sendable, Hashable {
    public var initialBackoff: TimeInterval
    public var maxBackoff: TimeInterval
    public var giveUpAfter: TimeInterval
    /// Fraction of random spread around each delay (0.2 = ±20 %), so retries from many replies
    /// do not arrive in lockstep.
    public var jitter: Double

    public init(initialBackoff: TimeInterval = 1, maxBackoff: TimeInterval = 600, giveUpAfter: TimeInterval = 72 * 3600, jitter: Double = 0.2) {
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.giveUpAfter = giveUpAfter
        self.jitter = jitter
    }

    /// The delay before attempt `attempts + 1`, after `attempts` failures (1-based).
    public func delay(afterAttempts attempts: Int, retryAfter: TimeInterval? = nil, random: Double = Double.random(in: -1...1)) -> TimeInterval {
        let exponent = Double(min(max(attempts - 1, 0), 30))
        let base = min(maxBackoff, initialBackoff * pow(2, exponent))
        let spread = base * jitter * random
        // A peer's Retry-After is honoured, but never beyond the point where we would give up anyway.
        let requested = min(max(retryAfter ?? 0, 0), giveUpAfter)
        return max(requested, max(0.05, base + spread))
    }

    /// Whether a delivery first queued at `created` should still be tried at `now`.
    public func shouldRetry(created: Date, now: Date) -> Bool {
        now.timeIntervalSince(created) < giveUpAfter
    }
}
