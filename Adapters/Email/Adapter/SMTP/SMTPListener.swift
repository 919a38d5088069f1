import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import SwitchboardCore
import Synchronization

/// The SMTP/LMTP listener of an email channel: accepts connections, runs an
/// ``SMTPServerHandler`` on each, and commits every finished message through the channel's
/// ``MailIntake`` and sink before the client hears `250`.
///
/// On graceful shutdown it stops accepting, lets sessions in the middle of a message finish
/// (up to ``drainTimeout``), tells idle ones `421 4.3.2`, then closes whatever is left.
struct SMTPListener: Service {
    let channelID: ChannelID
    let settings: SMTPInboundSettings
    let addresses: Set<String>
    let intake: MailIntake
    let sink: any ContactSink
    let logger: Logger
    let metrics: EmailMetrics
    var drainTimeout: Duration = .seconds(30)
    /// Called with the bound address once listening (tests bind port 0).
    var onListening: (@Sendable (SocketAddress) -> Void)?

    func run() async throws {
        let tls = try makeTLSContext()
        let connections = OpenConnections(limit: settings.maxConnections)
        let server = try await bind(tls: tls, connections: connections)
        logger.info(
            "SMTP listener ready",
            metadata: [
                "sb.protocol": "\(settings.wireProtocol.rawValue)", "sb.listen": "\(server.localAddress.map { "\($0)" } ?? "?")",
                "sb.starttls": "\(tls != nil)",
            ])
        if let address = server.localAddress { onListening?(address) }
        try? await gracefulShutdown()
        try? await server.close().get()
        let open = connections.all
        logger.info("SMTP listener stopping", metadata: ["sb.open_sessions": "\(open.count)"])
        for connection in open {
            connection.pipeline.fireUserInboundEventTriggered(SMTPServerHandler.ShutdownEvent())
        }
        let deadline = ContinuousClock.now + drainTimeout
        while !connections.all.isEmpty && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        for connection in connections.all { try? await connection.close().get() }
    }

    private func bind(tls: NIOSSLContext?, connections: OpenConnections) async throws -> any Channel {
        let settings = self.settings
        let logger = self.logger
        let commit = makeCommit()
        let addresses = self.addresses
        let accepts: @Sendable (String) -> Bool = { Self.accepts($0, addresses: addresses) }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard connections.add(channel) else {
                        try channel.pipeline.syncOperations.addHandler(RefusingHandler(reply: .tooManyConnections))
                        return
                    }
                    let idle = TimeAmount.nanoseconds(
                        settings.idleTimeout.components.seconds * 1_000_000_000 + settings.idleTimeout.components.attoseconds / 1_000_000_000)
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
                    try channel.pipeline.syncOperations.addHandler(
                        SMTPServerHandler(
                            session: SMTPServerSession(settings: settings, acceptsRecipient: accepts), tls: tls, logger: logger,
                            commit: commit))
                }
            }
        do {
            return try await bootstrap.bind(host: settings.host, port: settings.port).get()
        } catch {
            throw SMTPListenerError("could not listen on \(settings.host):\(settings.port): \(error)")
        }
    }

    private func makeTLSContext() throws -> NIOSSLContext? {
        guard let certificateFile = settings.certificateFile, let keyFile = settings.keyFile else { return nil }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw SMTPListenerError("inbound.tls: cannot load \(certificateFile) / \(keyFile): \(error)")
        }
    }

    /// Whether `address` is one of the channel's, a `+tag` sub-address included.
    static func accepts(_ address: String, addresses: Set<String>) -> Bool {
        let lowered = address.lowercased()
        if addresses.contains(lowered) { return true }
        guard let at = lowered.lastIndex(of: "@"), let plus = lowered[..<at].firstIndex(of: "+") else { return false }
        return addresses.contains(String(lowered[..<plus] + lowered[at...]))
    }

    /// Commits one message and says how the client is to be answered.
    private func makeCommit() -> @Sendable (SMTPServerSession.Envelope, [UInt8], String) async -> SMTPServerSession.DeliveryOutcome {
        let intake = self.intake
        let sink = self.sink
        let logger = self.logger
        let metrics = self.metrics
        let channel = channelID.rawValue
        return { envelope, raw, peer in
            let submission = intake.submission(
                raw: raw, receivedAt: Date(), envelope: MailEnvelope(sender: envelope.sender, recipients: envelope.recipients))
            do throws(IngestError) {
                let reference: String
                let label: String
                switch submission {
                case .contact(let contact):
                    let receipt = try await sink.ingest(contact)
                    reference = "message \(receipt.messageID.rawValue) (conversation \(receipt.conversationNumber))"
                    label = receipt.duplicate ? "duplicate" : "contact"
                case .recorded(let record):
                    let receipt = try await sink.record(record)
                    reference = "record \(receipt.recordID) (\(record.reason.rawValue))"
                    label = receipt.duplicate ? "duplicate" : "recorded"
                }
                metrics.messages.increment(channel, label)
                logger.debug(
                    "SMTP message committed",
                    metadata: ["sb.peer": "\(peer)", "sb.from": "\(envelope.sender)", "sb.outcome": "\(label)", "sb.bytes": "\(raw.count)"])
                return .stored(reference: reference)
            } catch {
                metrics.messages.increment(channel, "failed")
                logger.warning(
                    "SMTP message not stored; the client is told to \(error.isRetryable ? "retry" : "give up")",
                    metadata: ["sb.peer": "\(peer)", "sb.from": "\(envelope.sender)", "sb.error": "\(error)"])
                return .failed(error.isRetryable ? .storeFailed : SMTPReply(554, "5.6.0", "message rejected: \(error)"))
            }
        }
    }
}

/// Why the listener could not start (the address is taken, the certificate cannot be read).
struct SMTPListenerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The connections a listener has open, bounded.
final class OpenConnections: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Registers `channel` unless the limit is reached; it unregisters itself when it closes.
    func add(_ channel: any Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        let added = channels.withLock { open in
            guard open.count < limit else { return false }
            open[key] = channel
            return true
        }
        if added { channel.closeFuture.whenComplete { _ in _ = self.channels.withLock { $0.removeValue(forKey: key) } } }
        return added
    }

    var all: [any Channel] { channels.withLock { Array($0.values) } }
}

/// Greets a connection over the limit with a 421 and closes it.
private final class RefusingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let reply: SMTPReply

    init(reply: SMTPReply) { self.reply = reply }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeString(reply.wire)
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
