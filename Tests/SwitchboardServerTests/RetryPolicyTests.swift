import Foundation
import SwitchboardCore
import SwitchboardServer
import Testing

@Suite("Delivery retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(initialBackoff: 1, maxBackoff: 600, giveUpAfter: 72 * 3600, jitter: 0.2)

    @Test("backoff doubles from the initial delay up to the cap, within the jitter")
    func doubling() {
        for (attempts, base) in [(1, 1.0), (2, 2.0), (3, 4.0), (10, 512.0), (11, 600.0), (500, 600.0)] {
            #expect(policy.delay(afterAttempts: attempts, random: 0) == base)
            #expect(policy.delay(afterAttempts: attempts, random: 1) == base * 1.2)
            #expect(policy.delay(afterAttempts: attempts, random: -1) == base * 0.8)
        }
    }

    @Test("Retry-After is honoured but bounded by the give-up deadline")
    func retryAfter() {
        #expect(policy.delay(afterAttempts: 1, retryAfter: 30, random: 0) == 30)
        #expect(policy.delay(afterAttempts: 1, retryAfter: 9e15, random: 0) == 72 * 3600)
        #expect(policy.delay(afterAttempts: 1, retryAfter: -5, random: 0) == 1)
    }

    @Test("gives up after the deadline")
    func deadline() {
        let created = Date(timeIntervalSince1970: 0)
        #expect(policy.shouldRetry(created: created, now: created.addingTimeInterval(71 * 3600)))
        #expect(!policy.shouldRetry(created: created, now: created.addingTimeInterval(72 * 3600)))
    }
}
