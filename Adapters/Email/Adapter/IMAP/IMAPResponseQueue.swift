import NIOCore
import Synchronization

/// Hands responses parsed on the event loop to the one task running the session, with timeouts.
///
/// The channel handler pushes responses (or the error that ended the connection); the session
/// awaits ``next(timeout:on:)``. Only one waiter at a time: an IMAP session is a conversation.
final class IMAPResponseQueue: Sendable {
    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Result<IMAPResponse?, IMAPError>, Never>
        var timer: Scheduled<Void>?

        func resume(_ result: Result<IMAPResponse?, IMAPError>) {
            timer?.cancel()
            continuation.resume(returning: result)
        }
    }

    private struct State {
        var items: [IMAPResponse] = []
        var head = 0
        var failure: IMAPError?
        var waiter: Waiter?
        var nextWaiterID = 0
    }

    private let state = Mutex(State())

    func push(_ response: IMAPResponse) {
        let waiter = state.withLock { state -> Waiter? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.items.append(response)
            return nil
        }
        waiter?.resume(.success(response))
    }

    /// Ends the queue: the waiter (now or later) gets `error` once everything before it was read.
    func fail(_ error: IMAPError) {
        let waiter = state.withLock { state -> Waiter? in
            if state.failure == nil { state.failure = error }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(.failure(error))
    }

    /// The next response; `nil` when `timeout` passed first.
    func next(timeout: TimeAmount, on eventLoop: any EventLoop) async throws(IMAPError) -> IMAPResponse? {
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<IMAPResponse?, IMAPError>, Never>) in
                let immediate = state.withLock { state -> Result<IMAPResponse?, IMAPError>? in
                    if state.head < state.items.count {
                        let item = state.items[state.head]
                        state.head += 1
                        if state.head == state.items.count {
                            state.items.removeAll(keepingCapacity: true)
                            state.head = 0
                        }
                        return .success(item)
                    }
                    if let failure = state.failure { return .failure(failure) }
                    if Task.isCancelled { return .failure(IMAPError(.cancelled, "stopped")) }
                    state.waiter = Waiter(id: id, continuation: continuation)
                    return nil
                }
                if let immediate {
                    continuation.resume(returning: immediate)
                    return
                }
                let timer = eventLoop.scheduleTask(in: timeout) { self.resumeWaiter(id, with: .success(nil)) }
                let stillWaiting = state.withLock { state -> Bool in
                    guard state.waiter?.id == id else { return false }
                    state.waiter?.timer = timer
                    return true
                }
                if !stillWaiting { timer.cancel() }
            }
        } onCancel: {
            resumeWaiter(id, with: .failure(IMAPError(.cancelled, "stopped")))
        }
        return try result.get()
    }

    private func resumeWaiter(_ id: Int, with result: Result<IMAPResponse?, IMAPError>) {
        let waiter = state.withLock { state -> Waiter? in
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(result)
    }
}

/// Parses bytes from the socket into responses for an ``IMAPResponseQueue``.
final class IMAPResponseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var parser: IMAPResponseParser
    private let queue: IMAPResponseQueue

    init(queue: IMAPResponseQueue, parser: IMAPResponseParser) {
        self.queue = queue
        self.parser = parser
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { parser.append($0) }
        do {
            while let response = try parser.next() { queue.push(response) }
        } catch {
            queue.fail(IMAPError(.protocolViolation, error.message))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        queue.fail(IMAPError(.closed, "the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let kind: IMAPError.Kind = "\(type(of: error))".contains("SSL") ? .tls : .closed
        queue.fail(IMAPError(kind, "\(error)"))
        context.close(promise: nil)
    }
}
