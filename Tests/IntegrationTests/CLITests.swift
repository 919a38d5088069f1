import Foundation
import SwitchboardTesting
import Testing

/// The executable's subcommands, run as an operator runs them.
@Suite("Command line")
struct CLITests {
    /// Runs `switchboard <arguments>` to completion; returns its exit status and output.
    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try GatewayProcess.executable()
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "SWITCHBOARD_CONFIG")
        env.removeValue(forKey: "SWITCHBOARD_WEBCHAT_SECRET")
        env.merge(environment) { _, new in new }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("check-config lists every problem with its key path and exits non-zero; a good file passes")
    func checkConfig() throws {
        let bad = try Fixtures.temporaryFile(
            """
            server: {port: 70000}
            channels:
              - {id: web, type: webchat}
              - {id: chat, type: webchat, secret: 0123456789abcdef0, callbackURL: "not a url"}
              - {id: x, type: telepathy}
            """)
        let (status, output) = try run(["check-config", "--config", bad])
        #expect(status != 0)
        for path in ["server.port", "channels[0].secret", "channels[1].callbackURL", "channels[2].type"] {
            #expect(output.contains(path), "missing \(path) in:\n\(output)")
        }
        let repoConfig = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/switchboard.yaml").path
        let good = try run(
            ["check-config", "--config", repoConfig],
            environment: ["SWITCHBOARD_WEBCHAT_SECRET": "0123456789abcdef0", "SWITCHBOARD_ADMIN_TOKEN": "0123456789abcdef0"])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("configuration OK"))
    }

    @Test("migrate, then token create prints a token that the API accepts with its scope")
    func tokens() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sb-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let environment = ["SWITCHBOARD_DATA_DIR": data.path]
        #expect(try run(["migrate"], environment: environment).status == 0)
        let created = try run(["token", "create", "--scope", "integration", "--name", "crm"], environment: environment)
        #expect(created.status == 0)
        let token = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("sb_integration_") && token.count > 40)
        #expect(try run(["token", "create", "--scope", "root"], environment: environment).status != 0)

        let port = try await freeLoopbackPort()
        let gateway = try GatewayProcess(dataDirectory: data, port: port)
        let client = TestHTTPClient(port: port)
        try await gateway.waitUntilReady(client: client)
        #expect(try await client.get("/api/v1/conversations", bearer: token).status == 200)
        #expect(try await client.post("/api/v1/customers/a/merge", json: ["customerId": "b"], bearer: token).status == 403)
        #expect(try await client.get("/api/v1/conversations", bearer: token + "x").status == 401)
        #expect(await gateway.terminate() == 0)
        await client.shutdown()
    }

    @Test("inspect-mail prints the normalized message as JSON; unreadable input exits non-zero")
    func inspectMail() throws {
        let mail = try Fixtures.temporaryFile(
            """
            From: =?utf-8?B?546L5Zac?= <Wang.Zhe@Mail.Example.com>\r
            To: support@shop.example\r
            Subject: =?utf-8?B?5oiR6KaB6YCA5qy+?= [#1042]\r
            Message-ID: <abc@mail.example.com>\r
            In-Reply-To: <reply-1@shop.example>\r
            Auto-Submitted: auto-replied\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            请帮我处理退款。\r

            """, suffix: ".eml")
        let (status, output) = try run(["inspect-mail", mail, "--own-address", "support@shop.example"])
        #expect(status == 0, "\(output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
        #expect(json["subject"] as? String == "我要退款 [#1042]")
        #expect((json["from"] as? [String: Any])?["address"] as? String == "wang.zhe@mail.example.com")
        #expect((json["from"] as? [String: Any])?["name"] as? String == "王喜")
        #expect(json["messageId"] as? String == "<abc@mail.example.com>")
        #expect(json["inReplyTo"] as? String == "<reply-1@shop.example>")
        #expect((json["text"] as? String)?.contains("请帮我处理退款") == true)
        #expect((json["flags"] as? [String: Any])?["autoSubmitted"] as? Bool == true)
        #expect(json["opensConversation"] as? Bool == false)
        #expect(json["html"] is NSNull)

        let missing = try run(["inspect-mail", "/nonexistent/mail.eml"])
        #expect(missing.status != 0)
        #expect(missing.output.contains("cannot read"))
    }
}
