import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A callback receiver for outbound-delivery tests: a real HTTP server on loopback that records
/// every POST it accepts, and can be told to fail (answer 503) to simulate an outage.
public final class CallbackRecorder: Sendable {
    /// One received request.
    public struct Received: Sendable {
        public var path: String
        public var headers: [String: String]
        public var body: Data
    }

    private let state = Mutex<(received: [Received], failing: Bool, refused: Int)>(([], false, 0))
    private let group: Mutex<ServiceGroup?> = Mutex(nil)
    private let runner: Mutex<Task<Void, any Error>?> = Mutex(nil)
    public let port: Int

    private init(port: Int) { self.port = port }

    /// Starts a recorder on `port` (0 = any free port).
    public static func start(port: Int = 0) async throws -> CallbackRecorder {
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let holder = RecorderHolder()
        let router = Router()
        router.post("**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            guard let recorder = holder.recorder else { return Response(status: .serviceUnavailable) }
            return recorder.record(Received(path: request.uri.path, headers: headers, body: Data(buffer: body)))
        }
        var logger = Logger(label: "callback-recorder")
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var bound = 0
        for await value in stream {
            bound = value
            break
        }
        let recorder = CallbackRecorder(port: bound)
        holder.recorder = recorder
        recorder.group.withLock { $0 = group }
        recorder.runner.withLock { $0 = task }
        return recorder
    }

    private func record(_ received: Received) -> Response {
        let failing = state.withLock { state -> Bool in
            if state.failing {
                state.refused += 1
                return true
            }
            state.received.append(received)
            return false
        }
        return Response(status: failing ? .serviceUnavailable : .ok)
    }

    /// Everything accepted so far.
    public var received: [Received] { state.withLock { $0.received } }

    /// How many requests were answered 503 while failing.
    public var refused: Int { state.withLock { $0.refused } }

    /// While true, every request is answered 503 and not recorded.
    public func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }

    /// Waits until `count` requests were accepted or `timeout` passes; returns what was accepted.
    public func waitFor(count: Int, timeout: Duration = .seconds(20)) async -> [Received] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = received
            if current.count >= count { return current }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return received
    }

    public func stop() async {
        let group = group.withLock { $0 }
        await group?.triggerGracefulShutdown()
        _ = try? await runner.withLock { $0 }?.value
    }
}

/// Lets the route closure reach the recorder created after the router.
private final class RecorderHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var value: CallbackRecorder?
    var recorder: CallbackRecorder? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

/// A loopback port that is free right now (bound and released), for a server started later.
public func freeLoopbackPort() async throws -> Int {
    let recorder = try await CallbackRecorder.start()
    let port = recorder.port
    await recorder.stop()
    return port
}
