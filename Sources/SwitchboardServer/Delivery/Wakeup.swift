import Synchronization

/// A one-slot signal a loop can sleep on with a timeout: `signal()` wakes the sleeper at once,
/// or the next `wait` if nobody sleeps yet.
final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
        var lastID: UInt64 = 0
        /// A wait whose timeout fired before it started sleeping.
        var expired: UInt64?
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }

    /// Returns after `signal()` or after `timeout`, whichever comes first.
    ///
    /// The timeout ends only the wait that set it: it never leaves a signal behind for the next
    /// wait (which would make a loop around `wait` spin instead of sleeping).
    func wait(timeout: Duration) async {
        let id = state.withLock { state -> UInt64 in
            state.lastID += 1
            return state.lastID
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Ended by the timeout, by a signal (then there is no waiter left to wake) or by
                // the waiting task's cancellation (which must not leave it waiting).
                try? await Task.sleep(for: timeout)
                self.expire(id)
            }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || state.expired == id {
                        state.pending = false
                        state.expired = nil
                        return true
                    }
                    state.waiter = (id, continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            group.cancelAll()
        }
    }

    private func expire(_ id: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter, waiter.id == id else {
                if state.waiter == nil && state.lastID == id { state.expired = id }
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }
}

/// A request raised anywhere and taken once by a loop (`routing` sweeps for unrouted
/// conversations after rules or groups change).
final class Flag: Sendable {
    private let raised = Mutex(false)

    func raise() { raised.withLock { $0 = true } }

    /// Whether it was raised since the last take; lowers it.
    func take() -> Bool { raised.withLock { value in defer { value = false }; return value } }
}
