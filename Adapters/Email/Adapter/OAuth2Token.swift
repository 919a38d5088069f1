import Foundation

/// Reads the XOAUTH2 bearer token at every connect, so a token refreshed by another process
/// (a cron job, a credential helper) is picked up without restarting the gateway.
enum OAuth2Token {
    struct Failure: Error {
        var message: String
    }

    static func read(_ source: IMAPSettings.TokenSource) async throws(Failure) -> String {
        let token: String
        switch source {
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw Failure(message: "cannot read token file \(path)")
            }
            token = text
        case .command(let command):
            token = try await run(command)
        }
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, !trimmed.contains(where: { $0.isNewline || $0 == "\u{1}" }) else {
            throw Failure(message: "the token is empty or spans several lines")
        }
        return trimmed
    }

    /// Runs `command` with `/bin/sh -c`, at most 30 s, and returns its standard output.
    private static func run(_ command: String) async throws(Failure) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(message: "token command could not start: \(error)")
        }
        let deadline = ContinuousClock.now + .seconds(30)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw Failure(message: "token command did not finish within 30 s")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard process.terminationStatus == 0 else {
            throw Failure(message: "token command exited with status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
