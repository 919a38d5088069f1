import Foundation
import Logging
import Metrics
import NIOCore
import ServiceLifecycle
import SwitchboardCore
import SwitchboardTesting

@testable import SwitchboardEmail

/// Runs an ``SMTPListener`` on an ephemeral loopback port in this process, over a
/// ``RecordingSink``, and drives it with Python's smtplib through `scripts/smtp-tool.py`.
struct SMTPListenerHarness {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let tlsDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-smtp-tls").path
    /// Made once per test run (every test that needs it awaits the same task).
    static let certificates = Task {
        _ = try await ChildProcess.run("/bin/bash", [root.appendingPathComponent("scripts/test-certs.sh").path, tlsDirectory])
    }

    let sink: RecordingSink
    let port: Int

    static func settings(
        _ wire: SMTPInboundSettings.WireProtocol = .smtp, tls: Bool = false, maxMessageSize: Int = 1 << 20, maxConnections: Int = 10,
        idle: Duration = .seconds(30)
    ) -> SMTPInboundSettings {
        SMTPInboundSettings(
            wireProtocol: wire, host: "127.0.0.1", port: 0, hostname: "mx.test",
            certificateFile: tls ? tlsDirectory + "/server.pem" : nil, keyFile: tls ? tlsDirectory + "/server.key" : nil,
            maxMessageSize: maxMessageSize, maxConnections: maxConnections, idleTimeout: idle)
    }

    /// Starts a listener, runs `body`, then shuts the listener down gracefully.
    static func with(
        _ settings: SMTPInboundSettings = settings(), _ body: (SMTPListenerHarness) async throws -> Void
    ) async throws {
        if settings.offersTLS { try await certificates.value }
        let sink = RecordingSink()
        var logger = Logger(label: "smtp-test")
        logger.logLevel = .warning
        let channel = ChannelID(rawValue: "mail")
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var listener = SMTPListener(
            channelID: channel, settings: settings, addresses: ["support@example.com"],
            intake: MailIntake(normalizer: MailNormalizer(channelID: channel, ownAddresses: ["support@example.com"])),
            sink: sink, logger: logger, metrics: EmailMetrics(factory: NOOPMetricsHandler.instance))
        listener.drainTimeout = .seconds(2)
        listener.onListening = { (address: SocketAddress) in continuation.yield(address.port ?? 0) }
        let group = ServiceGroup(configuration: .init(services: [listener], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ConformanceFailure(check: "smtp", message: "listener did not start") }
        do {
            try await body(SMTPListenerHarness(sink: sink, port: port))
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// Runs `smtp-tool.py` against this listener.
    @discardableResult
    func tool(_ mode: String, _ arguments: [String]) async throws -> String {
        try await ChildProcess.run(
            "/usr/bin/env",
            ["python3", Self.root.appendingPathComponent("scripts/smtp-tool.py").path, mode, "--port", "\(port)"] + arguments,
            timeout: .seconds(60))
    }

    /// `smtp-tool.py send` results, one dictionary per file.
    func send(_ messages: [String], to recipients: [String] = ["support@example.com"], extra: [String] = []) async throws -> [[String: Any]] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [String] = []
        for (index, message) in messages.enumerated() {
            let file = directory.appendingPathComponent("\(index).eml")
            try Data(message.utf8).write(to: file)
            files.append(file.path)
        }
        let output = try await tool("send", extra + recipients.flatMap { ["--to", $0] } + files)
        return output.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// A small message with CRLF line ends.
    static func message(id: String?, subject: String = "Order 1042", from: String = "customer@example.net", body: String = "Hello")
        -> String
    {
        Fixtures.mail(id: id, subject: subject, from: from, body: body)
    }
}
