import Foundation
import Hummingbird
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
    private let server: Mutex<LoopbackServer?> = Mutex(nil)
    public let port: Int

    private init(port: Int) { self.port = port }

    /// Starts a recorder on `port` (0 = any free port).
    public static func start(port: Int = 0) async throws -> CallbackRecorder {
        let holder = RecorderHolder()
        let router = Router()
        router.post("**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            guard let recorder = holder.recorder else { return Response(status: .serviceUnavailable) }
            return recorder.record(Received(path: request.uri.path, headers: headers, body: Data(buffer: body)))
        }
        let server = try await LoopbackServer.start(router: router, port: port, label: "callback-recorder")
        let recorder = CallbackRecorder(port: server.port)
        holder.recorder = recorder
        recorder.server.withLock { $0 = server }
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
        await server.withLock { $0 }?.stop()
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
