import Foundation
import SwitchboardCore

/// The IMAP half of a `type: email` channel: which mailbox to keep ingested and how.
///
/// Its keys sit at the top level of the channel (as they did before the SMTP listener existed);
/// a channel has IMAP when it names a `host`. See ``EmailConfiguration`` for the key table.
public struct IMAPSettings: Sendable {
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

    /// The keys that belong to IMAP; given without `host`, they are a mistake worth naming.
    static let keys: Set<String> = [
        "host", "port", "tls", "caFile", "verifyCertificates", "username", "password", "auth", "oauth2TokenFile",
        "oauth2TokenCommand", "folders", "action", "moveTo", "idle", "idleRefreshSeconds", "pollIntervalSeconds",
        "fetchBatchSize", "reconnectInitialSeconds", "reconnectMaxSeconds",
    ]

    public var endpoint: IMAPEndpoint
    public var username: String
    public var credentials: Credentials
    public var folders: [String]
    public var action: Action
    public var useIdle: Bool
    public var idleRefresh: Duration
    public var pollInterval: Duration
    public var fetchBatchSize: Int
    public var reconnect: RetryPolicy

    public init(
        endpoint: IMAPEndpoint, username: String, credentials: Credentials, folders: [String] = ["INBOX"],
        action: Action = .leave, useIdle: Bool = true, idleRefresh: Duration = .seconds(600), pollInterval: Duration = .seconds(60),
        fetchBatchSize: Int = 100,
        reconnect: RetryPolicy = RetryPolicy(initialBackoff: 1, maxBackoff: 300, giveUpAfter: .infinity, jitter: 0.2)
    ) {
        self.endpoint = endpoint
        self.username = username
        self.credentials = credentials
        self.folders = folders
        self.action = action
        self.useIdle = useIdle
        self.idleRefresh = idleRefresh
        self.pollInterval = pollInterval
        self.fetchBatchSize = fetchBatchSize
        self.reconnect = reconnect
    }

    /// Reads the IMAP keys of `config`; `nil` when any problem was recorded.
    init?(reading config: ConfigReader) {
        let before = config.problems.all.count
        let host = config.string("host", required: true) ?? ""
        let security = IMAPEndpoint.Security(
            rawValue: config.choice("tls", IMAPEndpoint.Security.allCases.map(\.rawValue), default: "implicit")) ?? .implicit
        if security == .none, !host.isEmpty, !EmailConfiguration.isLoopback(host) {
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
        let initial = config.int("reconnectInitialSeconds", default: 1, range: 1...3600)
        let maximum = config.int("reconnectMaxSeconds", default: 300, range: 1...86_400)
        guard config.problems.all.count == before, let credentials else { return nil }
        self.init(
            endpoint: IMAPEndpoint(host: host, port: port, security: security, caFile: caFile, verifyCertificates: verify),
            username: username, credentials: credentials, folders: folders, action: action, useIdle: useIdle,
            idleRefresh: .seconds(idleRefresh), pollInterval: .seconds(poll), fetchBatchSize: batch,
            reconnect: RetryPolicy(
                initialBackoff: TimeInterval(initial), maxBackoff: TimeInterval(max(initial, maximum)), giveUpAfter: .infinity,
                jitter: 0.2))
    }
}
