import Foundation

/// Runs helper programs (Python's smtplib and imaplib drivers, the test-server scripts) from tests.
///
/// The exit status is read from a file the shell writes last, not from `Process`: a daemon started
/// by the command (Dovecot) must not keep us waiting on inherited pipes, and nothing here depends
/// on who reaps the child. The wait runs on a GCD thread: waiting for a child process must not
/// hold one of the (two, here) cooperative threads every other test needs.
public enum ChildProcess {
    /// Runs a command to completion and returns its output (stdout and stderr); throws when it
    /// exits non-zero or outlives `timeout`.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(120)) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blockingRun(executable, arguments, timeout: timeout) })
            }
        }
    }

    private static func blockingRun(_ executable: String, _ arguments: [String], timeout: Duration) throws -> String {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sb-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out").path
        let rc = scratch.appendingPathComponent("rc").path
        let quoted = ([executable] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(quoted.joined(separator: " ")) </dev/null >'\(out)' 2>&1; echo $? > '\(rc).tmp'; mv '\(rc).tmp' '\(rc)'"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + timeout
        let command = ([executable] + arguments).joined(separator: " ").prefix(300)
        while !FileManager.default.fileExists(atPath: rc) {
            guard ContinuousClock.now < deadline else {
                throw ConformanceFailure(check: "child process", message: "\(command) did not finish within \(timeout)")
            }
            usleep(20_000)
        }
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        let status = (try? String(contentsOfFile: rc, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == "0" else {
            throw ConformanceFailure(check: "child process", message: "\(command) failed (\(status ?? "?")): \(text)")
        }
        return text
    }
}
