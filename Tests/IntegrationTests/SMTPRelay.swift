import Foundation
import SwitchboardMIME
import SwitchboardTesting

#if canImport(Glibc)
import Glibc
#endif

/// The loopback SMTP relay replies go out through (`scripts/smtp-relay.sh`, aiosmtpd), and the
/// smtplib driver customers' mail comes in with (`scripts/smtp-tool.py`).
struct SMTPRelay {
    static let root = Dovecot.root
    let port: Int
    let directory: URL

    init() throws {
        port = try LoopbackPort.free()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-relay-\(UUID().uuidString)")
    }

    /// Starts the relay; `options` are smtp-relay.py's (`--tls-cert`, `--tls-key`, `--auth USER:PASSWORD`).
    func start(_ options: [String] = []) async throws {
        try await ChildProcess.run(
            "/bin/bash", [Self.root.appendingPathComponent("scripts/smtp-relay.sh").path, "start", "\(port)", directory.path] + options)
    }

    func stop() async throws {
        try await ChildProcess.run("/bin/bash", [Self.root.appendingPathComponent("scripts/smtp-relay.sh").path, "stop", directory.path])
    }

    /// Runs `body`, then stops the relay (if it was started), whether `body` threw or not.
    func stopping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            try await stop()
            return result
        } catch {
            try? await stop()
            throw error
        }
    }

    /// The messages the relay accepted, oldest first, as raw text.
    func messages() -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".eml") && !$0.hasPrefix(".") }
        return names.sorted().compactMap { try? String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
    }

    /// Runs `smtp-tool.py` (send, raw, reply) with `arguments`.
    @discardableResult
    static func tool(_ arguments: [String]) async throws -> String {
        try await ChildProcess.run("/usr/bin/env", ["python3", root.appendingPathComponent("scripts/smtp-tool.py").path] + arguments)
    }

    /// Delivers `raw` to a Switchboard SMTP listener on `port` with smtplib; returns its JSON line.
    @discardableResult
    static func deliver(_ raw: String, port: Int, from: String = "customer@example.net", to: String = "support@example.com")
        async throws -> String
    {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sb-mail-\(UUID().uuidString).eml")
        try Data(raw.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await tool(["send", "--port", "\(port)", "--sender", from, "--to", to, file.path])
    }

    /// A customer's answer to `messageID`, written by Python's email package.
    static func customerReply(to messageID: String, subject: String, body: String, from: String = "customer@example.net") async throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sb-reply-\(UUID().uuidString).eml")
        defer { try? FileManager.default.removeItem(at: file) }
        try await tool(["reply", "--sender", from, "--to", "support@example.com", "--in-reply-to", messageID, "--subject", subject, "--body", body, file.path])
        return try String(contentsOf: file, encoding: .utf8)
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
enum LoopbackPort {
    static func free() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ConformanceFailure(check: "port", message: "socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw ConformanceFailure(check: "port", message: "bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
