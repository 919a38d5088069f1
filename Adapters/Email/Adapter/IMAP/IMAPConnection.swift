import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// How to reach an IMAP server.
public struct IMAPEndpoint: Sendable, Hashable {
    /// `implicit`: TLS from the first byte (port 993). `starttls`: plain, upgraded before login.
    /// `none`: no TLS at all, which the configuration allows only for loopback servers.
    public enum Security: String, Sendable, Hashable, CaseIterable {
        case implicit, starttls, none
    }

    public var host: String
    public var port: Int
    public var security: Security
    /// PEM file of the CA(s) to trust instead of the system's.
    public var caFile: String?
    /// Certificate verification; on unless the configuration explicitly turns it off.
    public var verifyCertificates: Bool
    public var connectTimeout: Duration
    /// How long to wait for any answer to a command (bodies of large messages included).
    public var responseTimeout: Duration

    public init(
        host: String, port: Int, security: Security, caFile: String? = nil, verifyCertificates: Bool = true,
        connectTimeout: Duration = .seconds(15), responseTimeout: Duration = .seconds(120)
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.caFile = caFile
        self.verifyCertificates = verifyCertificates
        self.connectTimeout = connectTimeout
        self.responseTimeout = responseTimeout
    }
}

/// One TCP (optionally TLS) connection to an IMAP server: bytes out, parsed responses in.
///
/// Responses are parsed on the event loop by ``IMAPResponseHandler`` as they arrive and read by
/// the session with ``next(timeout:)``; untagged responses may arrive at any time and simply
/// queue up.
final class IMAPConnection: Sendable {
    let channel: any Channel
    private let queue: IMAPResponseQueue
    let endpoint: IMAPEndpoint

    private init(channel: any Channel, queue: IMAPResponseQueue, endpoint: IMAPEndpoint) {
        self.channel = channel
        self.queue = queue
        self.endpoint = endpoint
    }

    static func connect(to endpoint: IMAPEndpoint, maxLiteralBytes: Int) async throws(IMAPError) -> IMAPConnection {
        let queue = IMAPResponseQueue()
        let tls: NIOSSLContext?
        do {
            tls = endpoint.security == .implicit ? try makeTLSContext(endpoint) : nil
        } catch {
            throw IMAPError(.tls, "TLS could not be set up: \(error)")
        }
        let host = endpoint.host
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.nanoseconds(Int64(endpoint.connectTimeout.components.seconds) * 1_000_000_000))
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls, serverHostname: ClientTLS.serverName(host)))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        IMAPResponseHandler(
                            queue: queue, parser: IMAPResponseParser(maxLiteralBytes: maxLiteralBytes, maxLineBytes: 16 << 20)))
                }
            }
        do {
            let channel = try await bootstrap.connect(host: endpoint.host, port: endpoint.port).get()
            return IMAPConnection(channel: channel, queue: queue, endpoint: endpoint)
        } catch {
            throw IMAPError(.connect, "could not connect to \(endpoint.host):\(endpoint.port): \(error)")
        }
    }

    /// Starts TLS on the open connection (after the server's OK to STARTTLS).
    func startTLS() async throws(IMAPError) {
        let context: NIOSSLContext
        do {
            context = try Self.makeTLSContext(endpoint)
        } catch {
            throw IMAPError(.tls, "TLS could not be set up: \(error)")
        }
        let host = endpoint.host
        do {
            try await channel.eventLoop.submit { [channel] in
                try channel.pipeline.syncOperations.addHandler(
                    try NIOSSLClientHandler(context: context, serverHostname: ClientTLS.serverName(host)), position: .first)
            }.get()
        } catch {
            throw IMAPError(.tls, "STARTTLS failed: \(error)")
        }
    }

    func send(_ bytes: [UInt8]) async throws(IMAPError) {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        do {
            try await channel.writeAndFlush(buffer).get()
        } catch {
            throw IMAPError(.closed, "could not send to the server: \(error)")
        }
    }

    /// The next response, or `nil` after `timeout` (default: the endpoint's response timeout).
    func next(timeout: Duration? = nil) async throws(IMAPError) -> IMAPResponse? {
        let wait = timeout ?? endpoint.responseTimeout
        let nanoseconds = wait.components.seconds * 1_000_000_000 + wait.components.attoseconds / 1_000_000_000
        return try await queue.next(timeout: .nanoseconds(nanoseconds), on: channel.eventLoop)
    }

    func close() async {
        try? await channel.close().get()
    }

    private static func makeTLSContext(_ endpoint: IMAPEndpoint) throws -> NIOSSLContext {
        try ClientTLS.context(caFile: endpoint.caFile, verifyCertificates: endpoint.verifyCertificates)
    }
}
