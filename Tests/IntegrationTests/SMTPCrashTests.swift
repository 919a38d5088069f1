import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardStoreSQLite
import SwitchboardTesting
import Testing

/// kill -9 of the gateway while 16 smtplib senders deliver to its SMTP listener: every message
/// that was answered 250 is in the store after the restart, and senders retrying what they are
/// unsure of create nothing twice.
@Suite("SMTP listener: kill -9 under load")
struct SMTPCrashTests {
    @Test("every 250 is a stored message; redelivery after the restart adds nothing")
    func killUnderLoad() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-smtpcrash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: data) }
        let smtpPort = try LoopbackPort.free()
        let config = data.appendingPathComponent("switchboard.yaml")
        try """
            channels:
              - id: mail
                type: email
                addresses: [support@example.com]
                inbound: {listen: "127.0.0.1:\(smtpPort)", hostname: crash.test}
            """.write(to: config, atomically: true, encoding: .utf8)
        let template = data.appendingPathComponent("template.eml")
        try Data(
            "From: Customer <customer@example.net>\r\nTo: support@example.com\r\nSubject: crash\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nHello\r\n"
                .utf8
        ).write(to: template)
        let acked = data.appendingPathComponent("acked.txt")
        let port = try LoopbackPort.free()
        let database = data.appendingPathComponent("switchboard.sqlite").path
        let client = TestHTTPClient(port: port)
        defer { Task { await client.shutdown() } }

        let first = try GatewayProcess(dataDirectory: data, port: port, configFile: config.path)
        try await first.waitUntilReady(client: client)
        let reader = try SQLiteStore(configuration: .init(path: database))
        // The load generator itself kills the gateway right after the 400th 250: wherever the
        // commits and answers stand at that instant is what the restart must make good.
        _ = try await SMTPRelay.tool([
            "bench", "--port", "\(smtpPort)", "--senders", "16", "--messages", "4000", "--to", "support@example.com", "--acked", acked.path,
            "--kill-pid", "\(first.process.processIdentifier)", "--kill-after", "400", template.path,
        ])
        first.killHard()
        let ids = try String(contentsOf: acked, encoding: .utf8).split(separator: "\n").map(String.init)
        let atKill = try await reader.statistics().messages
        print("smtp crash test: killed with \(atKill) stored, \(ids.count) answered 250")
        #expect(ids.count >= 400 && ids.count < 1000, "killed under load: \(ids.count) acknowledged")

        let second = try GatewayProcess(dataDirectory: data, port: port, configFile: config.path)
        try await second.waitUntilReady(client: client)
        var missing: [String] = []
        for id in ids where try await reader.message(channelID: ChannelID(rawValue: "mail"), externalID: id) == nil {
            missing.append(id)
        }
        #expect(missing.isEmpty, "acknowledged but not stored: \(missing.prefix(5))")
        let before = try await reader.statistics().messages
        #expect(before >= ids.count, "the store holds every acknowledged message (and perhaps some whose 250 was lost)")
        // A sender unsure whether its message got through sends it again: nothing new.
        let resend = data.appendingPathComponent("resend")
        try FileManager.default.createDirectory(at: resend, withIntermediateDirectories: true)
        let body = try String(contentsOf: template, encoding: .utf8)
        for (index, id) in ids.prefix(200).enumerated() {
            try Data(("Message-ID: \(id)\r\n" + body).utf8).write(to: resend.appendingPathComponent("\(index).eml"))
        }
        let files = (0..<min(200, ids.count)).map { resend.appendingPathComponent("\($0).eml").path }
        let output = try await SMTPRelay.tool(["send", "--port", "\(smtpPort)", "--to", "support@example.com"] + files)
        #expect(output.split(separator: "\n").allSatisfy { $0.contains("\"ok\": true") })
        let after = try await reader.statistics().messages
        #expect(after == before, "redelivered messages are duplicates: \(before) → \(after)")
        #expect(await second.terminate() == 0)
        try await reader.close()
    }
}
