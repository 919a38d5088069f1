import Logging
import NIOCore
import NIOSSL

/// Runs one ``SMTPServerSession`` on a NIO channel: feeds it the bytes read, writes its replies,
/// hands finished messages to the committer, starts TLS, enforces the idle timeout.
///
/// While a message is being committed, reading from the socket is paused (`autoRead` off): a
/// pipelining client cannot make us buffer without bound, and nothing it sent after the message
/// is answered before the message's own reply — which is sent only once the commit returned.
final class SMTPServerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Asked of every open connection when the listener stops.
    struct ShutdownEvent: Sendable {}

    private var session: SMTPServerSession
    private let commit: @Sendable (SMTPServerSession.Envelope, [UInt8], String) async -> SMTPServerSession.DeliveryOutcome
    private let tls: NIOSSLContext?
    private let logger: Logger
    private var peer = "?"

    init(
        session: SMTPServerSession, tls: NIOSSLContext?, logger: Logger,
        commit: @escaping @Sendable (SMTPServerSession.Envelope, [UInt8], String) async -> SMTPServerSession.DeliveryOutcome
    ) {
        self.session = session
        self.tls = tls
        self.logger = logger
        self.commit = commit
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
        write(session.greeting, context: context)
        context.flush()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        session.receive(buffer.readableBytesView)
        perform(session.process(now: .now), context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            // Waiting for our own commit is not the client's idleness.
            guard session.phase != .delivering else { return }
            logger.info("SMTP session idle; closing", metadata: ["sb.peer": "\(peer)"])
            perform(session.terminate(.idle), context: context)
        } else if event is ShutdownEvent {
            switch session.phase {
            case .command: perform(session.terminate(.shuttingDown), context: context)
            case .data, .chunk, .delivering: session.closeWhenIdle = true
            case .closed: break
            }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.info("SMTP connection error; closing", metadata: ["sb.peer": "\(peer)", "sb.error": "\(error)"])
        context.close(promise: nil)
    }

    private func perform(_ actions: [SMTPServerSession.Action], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .reply(let reply):
                write(reply, context: context)
            case .close:
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)))
                    .assumeIsolated()
                    .whenComplete { _ in context.close(promise: nil) }
                return
            case .startTLS(let reply):
                write(reply, context: context)
                context.flush()
                guard let tls else { return }
                // The reply has passed the head of the pipeline; everything after it is TLS.
                do {
                    try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
                    session.tlsStarted()
                } catch {
                    logger.warning("STARTTLS could not be set up", metadata: ["sb.peer": "\(peer)", "sb.error": "\(error)"])
                    context.close(promise: nil)
                }
                return
            case .deliver(let envelope, let message):
                context.flush()
                context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
                startCommit(envelope, message, context: context)
                return
            }
        }
        context.flush()
    }

    private func startCommit(_ envelope: SMTPServerSession.Envelope, _ message: [UInt8], context: ChannelHandlerContext) {
        let commit = self.commit
        let peer = self.peer
        let loop = context.eventLoop
        loop.makeFutureWithTask { await commit(envelope, message, peer) }
            .assumeIsolated()
            .whenSuccess { outcome in
                guard context.channel.isActive else { return }
                self.perform(self.session.delivered(outcome, now: .now), context: context)
                if self.session.phase != .delivering && self.session.phase != .closed {
                    context.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
                }
            }
    }

    private func write(_ reply: SMTPReply, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeString(reply.wire)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }
}
