import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A real HTTP server on 127.0.0.1 for tests that need a peer: a callback receiver, a loopback
/// fake of a remote API the tests cannot reach (WeChat's, Weibo's). Give it a router; it binds
/// (port 0: any free port), runs in its own service group, and stops on ``stop()``.
public final class LoopbackServer: Sendable {
    public let port: Int
    private let group: ServiceGroup
    private let runner: Task<Void, any Error>

    private init(port: Int, group: ServiceGroup, runner: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.runner = runner
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts serving `router` and returns once the port is bound.
    public static func start(router: Router<BasicRequestContext>, port: Int = 0, label: String) async throws -> LoopbackServer {
        var logger = Logger(label: label)
        logger.logLevel = .warning
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let runner = Task { try await group.run() }
        var bound = 0
        for await value in stream {
            bound = value
            break
        }
        guard bound > 0 else {
            runner.cancel()
            throw ConformanceFailure(check: label, message: "loopback server did not start listening")
        }
        return LoopbackServer(port: bound, group: group, runner: runner)
    }

    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await runner.value
    }
}
