import Foundation
@testable import SwitchboardServer
import Testing

@Suite("Wakeup")
struct WakeupTests {
    @Test("a signal wakes the sleeper at once, and the next wait sleeps its full timeout again")
    func signalThenSleep() async throws {
        let wakeup = Wakeup()
        let clock = ContinuousClock()
        let signalled = Task {
            try await Task.sleep(for: .milliseconds(50))
            wakeup.signal()
        }
        // Upper bounds are generous: on a loaded 2-core machine the signalling task may start late.
        let first = await clock.measure { await wakeup.wait(timeout: .seconds(120)) }
        try await signalled.value
        #expect(first < .seconds(60), "a signal ends the wait: \(first)")
        // The first wait's cancelled timer must not leave a signal behind (a loop around `wait`
        // would spin at full CPU instead of sleeping).
        for _ in 0..<3 {
            let next = await clock.measure { await wakeup.wait(timeout: .milliseconds(150)) }
            #expect(next >= .milliseconds(140), "the wait slept its timeout: \(next)")
        }
    }

    @Test("cancelling the waiting task ends its wait (a loop stopped by cancellation does not hang)")
    func cancellation() async {
        let wakeup = Wakeup()
        let clock = ContinuousClock()
        let waiter = Task { await clock.measure { await wakeup.wait(timeout: .seconds(600)) } }
        try? await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        let waited = await waiter.value
        #expect(waited < .seconds(60), "cancellation ended the wait: \(waited)")
    }

    @Test("a signal sent while nobody waits ends the next wait at once, once")
    func pendingSignal() async {
        let wakeup = Wakeup()
        wakeup.signal()
        let clock = ContinuousClock()
        let first = await clock.measure { await wakeup.wait(timeout: .seconds(120)) }
        let second = await clock.measure { await wakeup.wait(timeout: .milliseconds(150)) }
        #expect(first < .seconds(60) && second >= .milliseconds(140), "\(first), \(second)")
    }

    @Test("very short timeouts never hang")
    func shortTimeouts() async {
        let wakeup = Wakeup()
        for _ in 0..<200 { await wakeup.wait(timeout: .zero) }
    }
}
