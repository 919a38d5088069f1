import Foundation
import NIOCore
import NIOPosix
@testable import SwitchboardEmail
import Testing

/// The IMAP client against a scripted loopback server that misbehaves: every failure is a typed
/// error with a message an admin can act on, never a crash or a hang.
@Suite("IMAP client against a hostile server")
struct HostileIMAPServerTests {
    /// Answers each command line through `respond(tag, command)`; `nil` closes the connection.
    final class ScriptHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let greeting: String
        let respond: @Sendable (String, String) -> String?
        var pending = ""

        init(greeting: String, respond: @escaping @Sendable (String, String) -> String?) {
            self.greeting = greeting
            self.respond = respond
        }

        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: greeting)), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            pending += String(buffer: unwrapInboundIn(data))
            while let end = pending.range(of: "\r\n") {
                let line = String(pending[..<end.lowerBound])
                pending.removeSubrange(..<end.upperBound)
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                guard let answer = respond(parts.first ?? "", parts.count > 1 ? parts[1] : "") else {
                    context.close(promise: nil)
                    return
                }
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
            }
        }
    }

    func withServer<T>(
        greeting: String = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR IDLE] ready\r\n",
        respond: @escaping @Sendable (String, String) -> String?, _ body: (Int) async throws -> T
    ) async throws -> T {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptHandler(greeting: greeting, respond: respond))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { channel.close(promise: nil) }
        return try await body(channel.localAddress?.port ?? 0)
    }

    func open(_ port: Int, maxLiteralBytes: Int = 1 << 20) async throws -> IMAPSession {
        try await IMAPSession.open(
            IMAPEndpoint(host: "127.0.0.1", port: port, security: .none, responseTimeout: .seconds(2)),
            authentication: .password(user: "u", password: "p"), maxLiteralBytes: maxLiteralBytes)
    }

    /// A well-behaved login and SELECT; `fetch` answers UID FETCH.
    static func mailbox(fetch: @escaping @Sendable (String) -> String?) -> @Sendable (String, String) -> String? {
        { tag, command in
            switch command.split(separator: " ").first.map(String.init) ?? "" {
            case "AUTHENTICATE": "\(tag) OK [CAPABILITY IMAP4rev1 IDLE] in\r\n"
            case "SELECT": "* 2 EXISTS\r\n* OK [UIDVALIDITY 9] v\r\n\(tag) OK [READ-WRITE] done\r\n"
            case "UID": fetch(tag)
            default: "\(tag) OK fine\r\n"
            }
        }
    }

    func expectError(_ kind: IMAPError.Kind, containing text: String, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected an IMAP \(kind) error")
        } catch let error as IMAPError {
            #expect(error.kind == kind && (text.isEmpty || error.message.contains(text)), "\(error)")
        } catch {
            Issue.record("expected an IMAPError, got \(error)")
        }
    }

    @Test("a server that refuses us in its greeting")
    func byeGreeting() async throws {
        try await withServer(greeting: "* BYE too many connections\r\n", respond: { _, _ in nil }) { port in
            await expectError(.closed, containing: "too many connections") { _ = try await open(port) }
        }
    }

    @Test("a server that is not IMAP at all")
    func notIMAP() async throws {
        try await withServer(greeting: "SSH-2.0-OpenSSH_9.2\r\n", respond: { _, _ in nil }) { port in
            await expectError(.protocolViolation, containing: "") { _ = try await open(port) }
        }
    }

    @Test("a server that never answers: a timeout, not a hang")
    func silent() async throws {
        try await withServer(greeting: "", respond: { _, _ in "" }) { port in
            await expectError(.timeout, containing: "greeting") { _ = try await open(port) }
        }
    }

    @Test("a server answering with someone else's tag")
    func wrongTag() async throws {
        try await withServer(respond: { _, _ in "X999 OK whatever\r\n" }) { port in
            await expectError(.protocolViolation, containing: "X999") { _ = try await open(port) }
        }
    }

    @Test("a literal larger than the limit is refused before it is read")
    func hugeLiteral() async throws {
        let respond = Self.mailbox { _ in "* 1 FETCH (UID 1 BODY[] {999999999}\r\nxx" }
        try await withServer(respond: respond) { port in
            let session = try await open(port)
            _ = try await session.select("INBOX")
            await expectError(.protocolViolation, containing: "limit") { _ = try await session.uidFetch([1], items: "UID BODY.PEEK[]") }
            await session.close()
        }
    }

    @Test("the connection dropped in the middle of a message body")
    func droppedMidBody() async throws {
        let respond = Self.mailbox { _ in "* 1 FETCH (UID 1 BODY[] {500}\r\nFrom: a@b.c\r\n" }
        try await withServer(respond: respond) { port in
            let session = try await open(port)
            _ = try await session.select("INBOX")
            // The server keeps the connection but never finishes the literal, then we time out;
            // either way the session ends with a typed error and nothing half-read is returned.
            do throws(IMAPError) {
                _ = try await session.uidFetch([1], items: "UID BODY.PEEK[]")
                Issue.record("a half-sent body must not be returned")
            } catch {
                #expect(error.kind == .timeout || error.kind == .closed, "\(error)")
            }
            await session.close()
        }
    }

    @Test("SELECT without UIDVALIDITY cannot be checkpointed and is refused")
    func noUIDValidity() async throws {
        let respond: @Sendable (String, String) -> String? = { tag, command in
            command.hasPrefix("SELECT") ? "* 2 EXISTS\r\n\(tag) OK done\r\n" : "\(tag) OK [CAPABILITY IMAP4rev1] in\r\n"
        }
        try await withServer(respond: respond) { port in
            let session = try await open(port)
            await expectError(.protocolViolation, containing: "UIDVALIDITY") { _ = try await session.select("INBOX") }
            await session.close()
        }
    }

    @Test("a refused login is an authentication error")
    func refusedLogin() async throws {
        try await withServer(respond: { tag, _ in "\(tag) NO [AUTHENTICATIONFAILED] nope\r\n" }) { port in
            await expectError(.authentication, containing: "nope") { _ = try await open(port) }
        }
    }
}
