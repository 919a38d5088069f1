import Foundation
import SwitchboardCore

/// The `outbound:` block of a `type: email` channel: the relay agent replies are sent through.
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `host` | host name | required | the relay (your MTA or provider's submission server) |
/// | `port` | int | 587 (`starttls`), 465 (`implicit`), 25 (`none`) | relay port |
/// | `tls` | `starttls`, `implicit`, `none` | `starttls` | `none` only for a loopback relay |
/// | `caFile` / `verifyCertificates` | path / bool | system roots / true | how the relay's certificate is checked |
/// | `username` / `password` | text / secret | — | AUTH PLAIN (or LOGIN) after TLS; both or neither |
/// | `from` | address | the channel's first address | the From and envelope sender of replies |
/// | `fromName` | text | — | display name of From (`Shop Support`) |
/// | `heloName` | text | the machine's name | the name in EHLO |
/// | `messageIDDomain` | domain | the domain of `from` | right side of our Message-IDs |
/// | `timeoutSeconds` | int | 60 | per relay answer; a slower relay is retried later |
public struct OutboundSMTPSettings: Sendable, Hashable {
    public enum Security: String, Sendable, Hashable, CaseIterable {
        case starttls, implicit, none
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var caFile: String?
    public var verifyCertificates: Bool
    public var username: String?
    public var password: String?
    public var from: String
    public var fromName: String?
    public var heloName: String
    public var messageIDDomain: String
    public var timeout: Duration

    public init(
        host: String, port: Int, security: Security, caFile: String? = nil, verifyCertificates: Bool = true, username: String? = nil,
        password: String? = nil, from: String, fromName: String? = nil, heloName: String = ProcessInfo.processInfo.hostName,
        messageIDDomain: String? = nil, timeout: Duration = .seconds(60)
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.caFile = caFile
        self.verifyCertificates = verifyCertificates
        self.username = username
        self.password = password
        self.from = from
        self.fromName = fromName
        self.heloName = heloName
        self.messageIDDomain = messageIDDomain ?? from.split(separator: "@").last.map(String.init) ?? "localhost"
        self.timeout = timeout
    }

    /// Reads the `outbound:` mapping; `nil` when any problem was recorded.
    init?(reading config: ConfigReader, addresses: [String]) {
        let before = config.problems.all.count
        let host = config.string("host", required: true) ?? ""
        let security = Security(rawValue: config.choice("tls", Security.allCases.map(\.rawValue), default: "starttls")) ?? .starttls
        if security == .none, !host.isEmpty, !EmailConfiguration.isLoopback(host) {
            config.problem("tls", "none is allowed only for a loopback relay (127.0.0.1, ::1, localhost); \(host) needs starttls or implicit")
        }
        let defaultPort = switch security {
        case .starttls: 587
        case .implicit: 465
        case .none: 25
        }
        let port = config.int("port", default: defaultPort, range: 1...65_535)
        let caFile = config.string("caFile")
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { config.problem("caFile", "cannot read \(caFile)") }
        let verify = config.bool("verifyCertificates", default: true)
        let username = config.string("username")
        let password = config.secret("password")
        if (username == nil) != (password == nil) { config.problem("username", "username and password go together") }
        let from = (config.string("from") ?? addresses.first ?? "").lowercased()
        if (try? Handle.email(from)) == nil { config.problem("from", "'\(from)' is not an email address") }
        let fromName = config.string("fromName")
        let helo = config.string("heloName", default: ProcessInfo.processInfo.hostName)
        let domain = config.string("messageIDDomain")
        if let domain, domain.isEmpty || domain.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "@" }) {
            config.problem("messageIDDomain", "must be a domain name")
        }
        let timeout = config.int("timeoutSeconds", default: 60, range: 1...600)
        config.rejectUnknownKeys()
        guard config.problems.all.count == before else { return nil }
        self.init(
            host: host, port: port, security: security, caFile: caFile, verifyCertificates: verify, username: username,
            password: password, from: from, fromName: fromName, heloName: helo, messageIDDomain: domain, timeout: .seconds(timeout))
    }
}
