import Foundation
import SwitchboardCore

/// The keys of a `type: email` channel (IMAP ingestion).
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `addresses` | list of addresses | required | addresses this channel owns (mail from them is ours; `X-Loop` naming them is a loop) |
/// | `host` | host name | required | IMAP server |
/// | `port` | int | 993 (`implicit`), 143 | IMAP port |
/// | `tls` | `implicit`, `starttls`, `none` | `implicit` | `none` only for a loopback host |
/// | `caFile` | path | system roots | PEM CA bundle to verify the server with |
/// | `verifyCertificates` | bool | true | never turn off outside a lab |
/// | `username` | text | required | login name |
/// | `password` | secret | required unless `auth: xoauth2` | `env:NAME`, `file:PATH` or text |
/// | `auth` | `password`, `login`, `xoauth2` | `password` | `password`: AUTHENTICATE PLAIN when offered, else LOGIN |
/// | `oauth2TokenFile` / `oauth2TokenCommand` | path / shell command | — | where an XOAUTH2 token comes from, read at every connect |
/// | `folders` | list | `[INBOX]` | folders to ingest, each on its own connection |
/// | `action` | `leave`, `seen`, `move` | `leave` | what to do with a message once committed |
/// | `moveTo` | folder | required for `move` | where `move` puts messages |
/// | `idle` | bool | true | wait with IDLE when the server offers it |
/// | `idleRefreshSeconds` | int | 600 | re-issue IDLE this often (RFC 2177 asks < 29 min) |
/// | `pollIntervalSeconds` | int | 60 | check interval when IDLE is off or not offered |
/// | `fetchBatchSize` | int | 100 | messages per UID FETCH |
/// | `maxMessageBytes` | int | 26214400 | larger messages are recorded with their headers only |
/// | `subjectTokenPrefix` / `subjectTokenSuffix` | text | `[#` / `]` | the conversation token in subjects |
/// | `reconnectInitialSeconds` / `reconnectMaxSeconds` | int | 1 / 300 | reconnect backoff (exponential, ±20 % jitter) |
public struct EmailConfiguration: Sendable {
    public enum Action: Sendable, Hashable {
        case leave
        case markSeen
        case move(to: String)
    }

    public enum TokenSource: Sendable, Hashable {
        case file(String)
        case command(String)
    }

    public enum Credentials: Sendable, Hashable {
        case password(String, loginOnly: Bool)
        case xoauth2(TokenSource)
    }

    public var addresses: [String]
    public var endpoint: IMAPEndpoint
    public var username: String
    public var credentials: Credentials
    public var folders: [String]
    public var action: Action
    public var useIdle: Bool
    public var idleRefresh: Duration
    public var pollInterval: Duration
    public var fetchBatchSize: Int
    public var maxMessageBytes: Int
    public var subjectToken: SubjectToken
    public var reconnect: RetryPolicy

    public init(
        addresses: [String], endpoint: IMAPEndpoint, username: String, credentials: Credentials, folders: [String] = ["INBOX"],
        action: Action = .leave, useIdle: Bool = true, idleRefresh: Duration = .seconds(600), pollInterval: Duration = .seconds(60),
        fetchBatchSize: Int = 100, maxMessageBytes: Int = 25 << 20, subjectToken: SubjectToken = SubjectToken(),
        reconnect: RetryPolicy = RetryPolicy(initialBackoff: 1, maxBackoff: 300, giveUpAfter: .infinity, jitter: 0.2)
    ) {
        self.addresses = addresses
        self.endpoint = endpoint
        self.username = username
        self.credentials = credentials
        self.folders = folders
        self.action = action
        self.useIdle = useIdle
        self.idleRefresh = idleRefresh
        self.pollInterval = pollInterval
        self.fetchBatchSize = fetchBatchSize
        self.maxMessageBytes = maxMessageBytes
        self.subjectToken = subjectToken
        self.reconnect = reconnect
    }

    /// Reads and validates the channel's keys; `nil` when any problem was recorded.
    public init?(reading config: ConfigReader) {
        let before = config.problems.all.count
        let addresses = (config.decode("addresses", as: [String].self) ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if addresses.isEmpty {
            config.problem("addresses", "is required: the addresses this channel receives mail for")
        }
        for (index, address) in addresses.enumerated() where (try? Handle.email(address)) == nil {
            config.problem("addresses[\(index)]", "'\(address)' is not an email address")
        }
        let host = config.string("host", required: true) ?? ""
        let security = IMAPEndpoint.Security(
            rawValue: config.choice("tls", IMAPEndpoint.Security.allCases.map(\.rawValue), default: "implicit")) ?? .implicit
        if security == .none, !host.isEmpty, !Self.isLoopback(host) {
            config.problem("tls", "none is allowed only for a loopback host (127.0.0.1, ::1, localhost); \(host) needs implicit or starttls")
        }
        let port = config.int("port", default: security == .implicit ? 993 : 143, range: 1...65_535)
        let caFile = config.string("caFile")
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            config.problem("caFile", "cannot read \(caFile)")
        }
        let verify = config.bool("verifyCertificates", default: true)
        let username = config.string("username", required: true) ?? ""
        let auth = config.choice("auth", ["password", "login", "xoauth2"], default: "password")
        var credentials: Credentials?
        if auth == "xoauth2" {
            let file = config.string("oauth2TokenFile")
            let command = config.string("oauth2TokenCommand")
            switch (file, command) {
            case (let file?, nil): credentials = .xoauth2(.file(file))
            case (nil, let command?): credentials = .xoauth2(.command(command))
            default: config.problem("auth", "xoauth2 needs exactly one of oauth2TokenFile and oauth2TokenCommand")
            }
        } else if let password = config.secret("password", required: true) {
            credentials = .password(password, loginOnly: auth == "login")
        }
        let folders = config.decode("folders", as: [String].self) ?? ["INBOX"]
        if folders.isEmpty || folders.contains(where: { $0.isEmpty }) {
            config.problem("folders", "must list at least one folder name, none empty")
        }
        if Set(folders).count != folders.count { config.problem("folders", "lists a folder twice") }
        var action = Action.leave
        switch config.choice("action", ["leave", "seen", "move"], default: "leave") {
        case "seen": action = .markSeen
        case "move":
            if let target = config.string("moveTo", required: true) {
                if folders.contains(target) { config.problem("moveTo", "must not be one of the ingested folders") }
                action = .move(to: target)
            }
        default:
            if config.string("moveTo") != nil { config.problem("moveTo", "is only used with action: move") }
        }
        let useIdle = config.bool("idle", default: true)
        let idleRefresh = config.int("idleRefreshSeconds", default: 600, range: 5...1740)
        let poll = config.int("pollIntervalSeconds", default: 60, range: 1...86_400)
        let batch = config.int("fetchBatchSize", default: 100, range: 1...1000)
        let maxBytes = config.int("maxMessageBytes", default: 25 << 20, range: 1024...(512 << 20))
        let prefix = config.string("subjectTokenPrefix", default: "[#")
        let suffix = config.string("subjectTokenSuffix", default: "]")
        if prefix.isEmpty || suffix.isEmpty { config.problem("subjectTokenPrefix", "prefix and suffix must not be empty") }
        let initial = config.int("reconnectInitialSeconds", default: 1, range: 1...3600)
        let maximum = config.int("reconnectMaxSeconds", default: 300, range: 1...86_400)
        config.rejectUnknownKeys(ignoring: ["id", "type"])
        guard config.problems.all.count == before, let credentials else { return nil }
        self.init(
            addresses: addresses,
            endpoint: IMAPEndpoint(host: host, port: port, security: security, caFile: caFile, verifyCertificates: verify),
            username: username, credentials: credentials, folders: folders, action: action, useIdle: useIdle,
            idleRefresh: .seconds(idleRefresh), pollInterval: .seconds(poll), fetchBatchSize: batch, maxMessageBytes: maxBytes,
            subjectToken: SubjectToken(prefix: prefix, suffix: suffix),
            reconnect: RetryPolicy(
                initialBackoff: TimeInterval(initial), maxBackoff: TimeInterval(max(initial, maximum)), giveUpAfter: .infinity,
                jitter: 0.2))
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
