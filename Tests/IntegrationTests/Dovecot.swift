import Foundation
import SwitchboardCore
import SwitchboardTesting

/// The real Dovecot the email tests talk to, started by `scripts/dovecot.sh` (loopback only:
/// 127.0.0.1:10143 plain/STARTTLS, :10993 implicit TLS) and driven with `scripts/imap-tool.py`
/// (Python's imaplib). Each test uses its own folders so tests cannot see each other's mail.
enum Dovecot {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let directory = ProcessInfo.processInfo.environment["SB_DOVECOT_DIR"] ?? "/tmp/switchboard-dovecot"
    static let plainPort = 10143
    static let tlsPort = 10993
    static var caFile: String { directory + "/tls/ca.pem" }
    static var corpus: URL { root.appendingPathComponent("Tests/SwitchboardMIMETests/Fixtures/corpus") }

    /// Starts Dovecot unless it already answers.
    static func ensureRunning() async throws {
        if await reachable() { return }
        try await run("/bin/bash", [root.appendingPathComponent("scripts/dovecot.sh").path, "start"])
    }

    static func restart() async throws {
        try await run("/bin/bash", [root.appendingPathComponent("scripts/dovecot.sh").path, "restart"])
    }

    /// Runs `imap-tool.py` with `arguments`; returns its output.
    @discardableResult
    static func tool(_ arguments: [String]) async throws -> String {
        try await run("/usr/bin/env", ["python3", root.appendingPathComponent("scripts/imap-tool.py").path] + arguments)
    }

    /// (messages, uidvalidity, unseen) of a folder.
    static func status(_ folder: String) async throws -> (messages: Int, uidValidity: UInt32, unseen: Int) {
        let parts = try await tool(["status", "--folder", folder]).split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard parts.count == 3 else { throw ConformanceFailure(check: "dovecot", message: "bad status output") }
        return (parts[0], UInt32(parts[1]), parts[2])
    }

    /// A unique folder name for one test.
    static func folder(_ name: String) -> String { "\(name)-\(UUID().uuidString.prefix(8))" }

    /// A channel config for the test account.
    static func channel(
        id: String = "mail", folders: [String], tls: String = "none", port: Int = plainPort, extra: [String: ConfigValue] = [:]
    ) -> [String: ConfigValue] {
        var values: [String: ConfigValue] = [
            "id": .string(id), "type": "email", "addresses": .list([.string("support@example.com")]),
            "host": "127.0.0.1", "port": .int(port), "tls": .string(tls), "username": "agent", "password": "secret",
            "folders": .list(folders.map { .string($0) }), "reconnectInitialSeconds": 1, "reconnectMaxSeconds": 2,
        ]
        values.merge(extra) { $1 }
        return values
    }

    /// A small raw message.
    static func message(id: String?, subject: String, from: String = "customer@example.net", body: String = "Hello") -> Data {
        Data(Fixtures.mail(id: id, subject: subject, from: from, body: body).utf8)
    }

    /// Appends raw messages to `folder` (through files, as imap-tool.py takes them).
    static func append(_ messages: [Data], to folder: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-append-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, message) in messages.enumerated() {
            try message.write(to: directory.appendingPathComponent(String(format: "%05d.eml", index)))
        }
        try await tool(["append", "--folder", folder, directory.path])
    }

    private static func reachable() async -> Bool {
        (try? await run("/bin/bash", ["-c", "exec 3<>/dev/tcp/127.0.0.1/\(plainPort)"])) != nil
    }

    @discardableResult
    private static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        try await ChildProcess.run(executable, arguments)
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
