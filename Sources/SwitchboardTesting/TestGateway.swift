import Foundation
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardServer
import SwitchboardStoreSQLite

/// A real gateway for tests: SQLite in a fresh temporary directory, HTTP on an ephemeral
/// loopback port, every service running, stopped with ``stop()``.
///
/// ```swift
/// let gateway = try await TestGateway.start(channels: [["id": "web", "type": "webchat", "secret": "…"]],
///                                           factories: [WebChatAdapterFactory()])
/// defer { Task { await gateway.stop() } }
/// let response = try await gateway.client.post("/channels/web/messages", body: …)
/// ```
public final class TestGateway: Sendable {
    public let gateway: Gateway
    public let store: SQLiteStore
    public let port: Int
    public let dataDirectory: URL
    public let client: TestHTTPClient
    public static let adminToken = "test-admin-token-0123456789"
    private let group: ServiceGroup
    private let runner: Task<Void, any Error>

    private init(
        gateway: Gateway, store: SQLiteStore, port: Int, dataDirectory: URL, group: ServiceGroup,
        runner: Task<Void, any Error>
    ) {
        self.gateway = gateway
        self.store = store
        self.port = port
        self.dataDirectory = dataDirectory
        self.group = group
        self.runner = runner
        self.client = TestHTTPClient(port: port)
    }

    /// Starts a gateway with `channels` (each a config mapping with `id` and `type`).
    /// `configure` may adjust anything else (delivery timing, ingest window, …).
    public static func start(
        channels: [[String: ConfigValue]], factories: [any ChannelAdapterFactory],
        dataDirectory: URL? = nil, logLevel: Logger.Level = .warning,
        configure: (inout GatewayConfiguration) -> Void = { _ in }
    ) async throws -> TestGateway {
        let directory = dataDirectory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("switchboard-test-\(UUID().uuidString)")
        var configuration = GatewayConfiguration()
        configuration.server.host = "127.0.0.1"
        configuration.server.port = 0
        configuration.server.shutdownGraceSeconds = 10
        configuration.storage.dataDirectory = directory.path
        configuration.adminToken = adminToken
        configuration.delivery.pollIntervalMilliseconds = 100
        configuration.channels = channels.enumerated().map { index, values in
            var id = ""
            var type = ""
            if case .string(let text)? = values["id"] { id = text }
            if case .string(let text)? = values["type"] { type = text }
            return .init(id: id, type: type, values: values, path: "channels[\(index)]")
        }
        configure(&configuration)
        var logger = Logger(label: "switchboard.test")
        logger.logLevel = logLevel
        let store = try SQLiteStore(configuration: .init(path: configuration.storage.databasePath))
        try await store.migrate()
        let blobs = try FileBlobStore(root: configuration.storage.blobDirectory)
        let gateway = try Gateway(
            configuration: configuration, store: store, blobs: blobs, factories: factories, logger: logger)
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let group = gateway.makeServiceGroup(signals: []) { port in portContinuation.yield(port) }
        let runner = Task {
            defer { portContinuation.finish() }
            try await group.run()
        }
        var port = 0
        for await value in portStream {
            port = value
            break
        }
        guard port > 0 else {
            runner.cancel()
            throw ConformanceFailure(check: "start", message: "gateway did not start listening")
        }
        return TestGateway(
            gateway: gateway, store: store, port: port, dataDirectory: directory, group: group, runner: runner)
    }

    /// Runs `body` against this gateway and stops it afterwards, also when `body` throws.
    public func use<T>(removeData: Bool = true, _ body: (TestGateway) async throws -> T) async throws -> T {
        let result: T
        do {
            result = try await body(self)
        } catch {
            await stop()
            throw error
        }
        await stop(removeData: removeData)
        return result
    }

    /// Gracefully shuts everything down (as SIGTERM would) and removes the data directory.
    public func stop(removeData: Bool = true) async {
        await group.triggerGracefulShutdown()
        _ = try? await runner.value
        await gateway.shutdownAdapters()
        await client.shutdown()
        try? await store.close()
        if removeData { try? FileManager.default.removeItem(at: dataDirectory) }
    }
}
