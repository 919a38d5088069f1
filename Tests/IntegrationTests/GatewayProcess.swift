import Foundation
import SwitchboardTesting

#if canImport(Glibc)
import Glibc
#endif

/// The built `switchboard` executable, run as a child process the way an operator runs it.
final class GatewayProcess: @unchecked Sendable {
    let process: Process
    let port: Int
    let dataDirectory: URL
    let log: URL

    static let secret = "crash-test-secret-0123456789"
    static let adminToken = "crash-test-admin-token-0123456789"

    /// The executable: `$SWITCHBOARD_BINARY`, else the debug build next to this package.
    static func executable() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["SWITCHBOARD_BINARY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for candidate in [".build/debug/switchboard", ".build/x86_64-unknown-linux-gnu/debug/switchboard", ".build/aarch64-unknown-linux-gnu/debug/switchboard"] {
            let url = root.appendingPathComponent(candidate)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        throw ConformanceFailure(
            check: "executable", message: "switchboard binary not found; run `swift build` first or set SWITCHBOARD_BINARY")
    }

    /// Starts `switchboard serve` (with `--config configFile` when given).
    init(dataDirectory: URL, port: Int, configFile: String? = nil) throws {
        self.dataDirectory = dataDirectory
        self.port = port
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        log = dataDirectory.appendingPathComponent("gateway-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = try Self.executable()
        process.arguments = ["serve"] + (configFile.map { ["--config", $0] } ?? [])
        var environment = ProcessInfo.processInfo.environment
        environment["SWITCHBOARD_PORT"] = String(port)
        environment["SWITCHBOARD_DATA_DIR"] = dataDirectory.path
        environment["SWITCHBOARD_WEBCHAT_SECRET"] = Self.secret
        environment["SWITCHBOARD_ADMIN_TOKEN"] = Self.adminToken
        environment["SWITCHBOARD_LOG_LEVEL"] = "warning"
        environment.removeValue(forKey: "SWITCHBOARD_CONFIG")
        process.environment = environment
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// Waits until `/healthz` answers.
    func waitUntilReady(client: TestHTTPClient, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let response = try? await client.get("/healthz"), response.status == 200 { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw ConformanceFailure(check: "start", message: "gateway did not become ready:\n\(output)")
    }

    /// SIGKILL: no chance to flush, drain or say goodbye.
    func killHard() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then the exit status (or nil when it did not exit within `timeout`).
    func terminate(timeout: Duration = .seconds(30)) async -> Int32? {
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }
}
