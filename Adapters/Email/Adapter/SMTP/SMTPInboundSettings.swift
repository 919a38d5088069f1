import Foundation
import SwitchboardCore

/// The `inbound:` block of a `type: email` channel: an SMTP or LMTP listener that mail servers
/// deliver to directly (a Postfix `transport` entry pointing a domain or alias at us), for mail
/// admins who will not give the gateway a mailbox.
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `protocol` | `smtp`, `lmtp` | `smtp` | LMTP answers each recipient after DATA (RFC 2033) |
/// | `listen` | `host:port` | `127.0.0.1:2525` | address to listen on (`[::1]:2525` for IPv6) |
/// | `hostname` | text | the machine's name | the name in the greeting and the EHLO answer |
/// | `tls.cert` / `tls.key` | PEM paths | — | offer STARTTLS with this certificate chain and key |
/// | `requireTLS` | bool | false | refuse MAIL before STARTTLS (needs `tls`) |
/// | `maxMessageSize` | bytes | the channel's `maxMessageBytes` | larger messages get `552 5.3.4` |
/// | `maxRecipients` | int | 100 | RCPT beyond this get `452 4.5.3` |
/// | `maxConnections` | int | 100 | further connections get `421 4.7.0` and are closed |
/// | `maxLineLength` | bytes | 2048 | longest command line (`500 5.5.2` beyond) |
/// | `idleTimeoutSeconds` | int | 300 | silence after which the session is closed with `421 4.4.2` |
/// | `maxCommandsPerSecond` | int | 100 | sustained rate of commands other than MAIL/RCPT/DATA/BDAT per connection (bursts of twice that) |
/// | `maxErrors` | int | 10 | protocol errors after which the session is closed with `421 4.7.0` |
public struct SMTPInboundSettings: Sendable, Hashable {
    public enum WireProtocol: String, Sendable, Hashable, CaseIterable {
        case smtp, lmtp
    }

    public var wireProtocol: WireProtocol
    public var host: String
    public var port: Int
    public var hostname: String
    public var certificateFile: String?
    public var keyFile: String?
    public var requireTLS: Bool
    public var maxMessageSize: Int
    public var maxRecipients: Int
    public var maxConnections: Int
    public var maxLineLength: Int
    public var idleTimeout: Duration
    public var maxCommandsPerSecond: Int
    public var maxErrors: Int

    public init(
        wireProtocol: WireProtocol = .smtp, host: String = "127.0.0.1", port: Int = 2525,
        hostname: String = ProcessInfo.processInfo.hostName, certificateFile: String? = nil, keyFile: String? = nil,
        requireTLS: Bool = false, maxMessageSize: Int = 25 << 20, maxRecipients: Int = 100, maxConnections: Int = 100,
        maxLineLength: Int = 2048, idleTimeout: Duration = .seconds(300), maxCommandsPerSecond: Int = 100, maxErrors: Int = 10
    ) {
        self.wireProtocol = wireProtocol
        self.host = host
        self.port = port
        self.hostname = hostname
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.requireTLS = requireTLS
        self.maxMessageSize = maxMessageSize
        self.maxRecipients = maxRecipients
        self.maxConnections = maxConnections
        self.maxLineLength = maxLineLength
        self.idleTimeout = idleTimeout
        self.maxCommandsPerSecond = maxCommandsPerSecond
        self.maxErrors = maxErrors
    }

    /// Whether STARTTLS is offered.
    public var offersTLS: Bool { certificateFile != nil && keyFile != nil }

    /// Reads the `inbound:` mapping; `nil` when any problem was recorded.
    init?(reading config: ConfigReader, defaultMaxMessageSize: Int) {
        let before = config.problems.all.count
        let wire = WireProtocol(rawValue: config.choice("protocol", WireProtocol.allCases.map(\.rawValue), default: "smtp")) ?? .smtp
        let listen = config.string("listen", default: "127.0.0.1:2525")
        let address = Self.parseListen(listen)
        if address == nil {
            config.problem("listen", "'\(listen)' is not host:port (for example 127.0.0.1:2525 or [::1]:2525)")
        }
        let hostname = config.string("hostname", default: ProcessInfo.processInfo.hostName)
        if hostname.isEmpty || hostname.contains(where: { $0.isWhitespace }) {
            config.problem("hostname", "must be one word, the name this server gives itself")
        }
        var certificate: String?
        var key: String?
        if let tls = config.child("tls") {
            certificate = tls.string("cert", required: true)
            key = tls.string("key", required: true)
            for (name, path) in [("cert", certificate), ("key", key)] {
                if let path, !FileManager.default.isReadableFile(atPath: path) { tls.problem(name, "cannot read \(path)") }
            }
            tls.rejectUnknownKeys()
        }
        let requireTLS = config.bool("requireTLS", default: false)
        if requireTLS && certificate == nil { config.problem("requireTLS", "needs tls.cert and tls.key to offer STARTTLS") }
        let maxSize = config.int("maxMessageSize", default: defaultMaxMessageSize, range: 1024...(512 << 20))
        let maxRecipients = config.int("maxRecipients", default: 100, range: 1...10_000)
        let maxConnections = config.int("maxConnections", default: 100, range: 1...100_000)
        let maxLine = config.int("maxLineLength", default: 2048, range: 512...65_536)
        let idle = config.int("idleTimeoutSeconds", default: 300, range: 1...3600)
        let rate = config.int("maxCommandsPerSecond", default: 100, range: 1...100_000)
        let maxErrors = config.int("maxErrors", default: 10, range: 1...1000)
        config.rejectUnknownKeys()
        guard config.problems.all.count == before, let address else { return nil }
        self.init(
            wireProtocol: wire, host: address.host, port: address.port, hostname: hostname, certificateFile: certificate,
            keyFile: key, requireTLS: requireTLS, maxMessageSize: maxSize, maxRecipients: maxRecipients,
            maxConnections: maxConnections, maxLineLength: maxLine, idleTimeout: .seconds(idle), maxCommandsPerSecond: rate,
            maxErrors: maxErrors)
    }

    /// `host:port` or `[v6]:port`.
    static func parseListen(_ text: String) -> (host: String, port: Int)? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65_535).contains(port) else { return nil }
        return (String(host), port)
    }
}
