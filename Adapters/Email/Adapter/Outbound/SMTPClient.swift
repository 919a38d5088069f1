import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Sends one message through a relay: connect (TLS as configured), EHLO, STARTTLS, AUTH, MAIL,
/// RCPT, DATA, QUIT — and says how it ended in the terms the outbox needs: a 4xx answer, a
/// refused connection or a timeout can be retried; a 5xx answer is final and carries the relay's
/// own words, so the agent sees why the customer did not get the reply.
struct SMTPClient: Sendable {
    let settings: OutboundSMTPSettings

    /// What went wrong, and whether trying again later can help.
    struct Failure: Error, CustomStringConvertible {
        var description: String
        var isPermanent: Bool
    }

    /// One reply of the relay.
    struct Reply: Sendable, CustomStringConvertible {
        var code: Int
        var lines: [String]
        var description: String { "\(code) " + lines.joined(separator: " / ") }
    }

    func send(from sender: String, to recipient: String, message: [UInt8]) async throws(Failure) -> Reply {
        let tls: NIOSSLContext?
        do {
            tls = settings.security == .none ? nil : try makeTLSContext()
        } catch {
            throw Failure(description: "TLS could not be set up: \(error)", isPermanent: false)
        }
        let connection = try await connect(implicitTLS: settings.security == .implicit ? tls : nil)
        do {
            return try await connection.executeThenClose { inbound, outbound in
                var session = Session(inbound: inbound.makeAsyncIterator(), outbound: outbound, relay: "\(settings.host):\(settings.port)")
                try await session.expect(220, "greeting")
                var capabilities = try await session.command("EHLO \(settings.heloName)", expect: 250, "EHLO").lines
                if settings.security == .starttls {
                    guard Self.offers("STARTTLS", capabilities) else {
                        throw Failure(description: "relay \(settings.host) does not offer STARTTLS (set tls: implicit, or fix the relay)", isPermanent: false)
                    }
                    _ = try await session.command("STARTTLS", expect: 220, "STARTTLS")
                    guard let tls else { throw Failure(description: "no TLS context", isPermanent: false) }
                    let channel = connection.channel
                    let host = settings.host
                    try await channel.eventLoop.submit {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls, serverHostname: ClientTLS.serverName(host)), position: .first)
                    }.get()
                    capabilities = try await session.command("EHLO \(settings.heloName)", expect: 250, "EHLO after STARTTLS").lines
                }
                if let username = settings.username, let password = settings.password {
                    do {
                        try await authenticate(&session, username: username, password: password, capabilities: capabilities)
                    } catch let failure as Failure {
                        // Our credentials, not the message: retried, so replies go out once they are fixed.
                        throw Failure(description: failure.description + " (check outbound.username and password)", isPermanent: false)
                    }
                }
                let size = Self.offers("SIZE", capabilities) ? " SIZE=\(message.count)" : ""
                _ = try await session.command("MAIL FROM:<\(sender)>\(size)", expect: 250, "MAIL FROM")
                _ = try await session.command("RCPT TO:<\(recipient)>", expect: 250, "RCPT TO")
                _ = try await session.command("DATA", expect: 354, "DATA")
                try await session.write(Self.dotStuffed(message))
                let accepted = try await session.expect(250, "end of DATA")
                _ = try? await session.command("QUIT", expect: 221, "QUIT")
                return accepted
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "connection to \(settings.host):\(settings.port) failed: \(error)", isPermanent: false)
        }
    }

    private func authenticate(_ session: inout Session, username: String, password: String, capabilities: [String]) async throws {
        let mechanisms = capabilities.first { $0.uppercased().hasPrefix("AUTH") }?.uppercased().split(separator: " ").dropFirst() ?? []
        if mechanisms.contains("PLAIN") || !mechanisms.contains("LOGIN") {
            let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            _ = try await session.command("AUTH PLAIN \(token)", expect: 235, "AUTH PLAIN", redacted: "AUTH PLAIN ***")
        } else {
            _ = try await session.command("AUTH LOGIN", expect: 334, "AUTH LOGIN")
            _ = try await session.command(Data(username.utf8).base64EncodedString(), expect: 334, "AUTH LOGIN user", redacted: "***")
            _ = try await session.command(Data(password.utf8).base64EncodedString(), expect: 235, "AUTH LOGIN password", redacted: "***")
        }
    }

    private func connect(implicitTLS: NIOSSLContext?) async throws(Failure) -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let host = settings.host
        let timeout = TimeAmount.seconds(settings.timeout.components.seconds)
        do {
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .connect(host: settings.host, port: settings.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let implicitTLS {
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: implicitTLS, serverHostname: ClientTLS.serverName(host)))
                        }
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: timeout))
                        try channel.pipeline.syncOperations.addHandler(CloseWhenIdleHandler())
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw Failure(description: "could not connect to relay \(settings.host):\(settings.port): \(error)", isPermanent: false)
        }
    }

    private func makeTLSContext() throws -> NIOSSLContext {
        try ClientTLS.context(caFile: settings.caFile, verifyCertificates: settings.verifyCertificates)
    }

    static func offers(_ keyword: String, _ capabilities: [String]) -> Bool {
        capabilities.dropFirst().contains { $0.uppercased() == keyword || $0.uppercased().hasPrefix(keyword + " ") }
    }

    /// The message as DATA carries it: CRLF line ends, a dot doubled at the start of a line,
    /// ended by `CRLF.CRLF`.
    static func dotStuffed(_ message: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 50 + 5)
        var atLineStart = true
        var previous: UInt8 = 0
        for byte in message {
            if byte == UInt8(ascii: "\n") && previous != UInt8(ascii: "\r") { output.append(UInt8(ascii: "\r")) }
            if atLineStart && byte == UInt8(ascii: ".") { output.append(UInt8(ascii: ".")) }
            output.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
            previous = byte
        }
        if !atLineStart { output += Array("\r\n".utf8) }
        output += Array(".\r\n".utf8)
        return output
    }

    /// Reads replies and writes commands on one connection.
    struct Session {
        var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        let relay: String
        var buffer: [UInt8] = []

        mutating func command(_ line: String, expect code: Int, _ step: String, redacted: String? = nil) async throws -> Reply {
            try await write(Array((line + "\r\n").utf8))
            return try await expect(code, step, sent: redacted ?? line)
        }

        func write(_ bytes: [UInt8]) async throws {
            try await outbound.write(ByteBuffer(bytes: bytes))
        }

        @discardableResult
        mutating func expect(_ code: Int, _ step: String, sent: String? = nil) async throws -> Reply {
            let reply = try await read(step)
            guard reply.code == code else {
                let permanent = (500..<600).contains(reply.code)
                throw Failure(description: "relay \(relay) answered \(reply) to \(sent ?? step)", isPermanent: permanent)
            }
            return reply
        }

        private mutating func read(_ step: String) async throws -> Reply {
            var lines: [String] = []
            while true {
                while let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    var line = Array(buffer[..<end])
                    buffer.removeFirst(end + 1)
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    let text = String(decoding: line, as: UTF8.self)
                    guard text.count >= 3, let code = Int(text.prefix(3)) else {
                        throw Failure(description: "relay \(relay) sent something that is not SMTP at \(step): \(text.prefix(100))", isPermanent: false)
                    }
                    lines.append(String(text.dropFirst(4)))
                    guard lines.count < 200 else { throw Failure(description: "relay \(relay) sent an endless reply", isPermanent: false) }
                    if text.count == 3 || text[text.index(text.startIndex, offsetBy: 3)] == " " {
                        return Reply(code: code, lines: lines)
                    }
                }
                guard buffer.count < 65_536 else { throw Failure(description: "relay \(relay) sent an overlong line", isPermanent: false) }
                guard let chunk = try await inbound.next() else {
                    throw Failure(description: "relay \(relay) closed the connection or went silent at \(step)", isPermanent: false)
                }
                buffer += chunk.readableBytesView
            }
        }
    }
}

/// Closes the connection when the idle timer fires, which ends the inbound stream the session
/// is reading: a silent relay becomes a retryable failure instead of a hang.
private final class CloseWhenIdleHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
