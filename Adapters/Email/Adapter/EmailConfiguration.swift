import Foundation
import SwitchboardCore

/// The keys of a `type: email` channel: the addresses it owns, plus at least one way mail reaches
/// it — an IMAP mailbox (``IMAPSettings``, keys at the top level, present when `host` is) and/or
/// an SMTP/LMTP listener (``SMTPInboundSettings``, under `inbound:`).
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `addresses` | list of addresses | required | addresses this channel owns (mail from them is ours; `X-Loop` naming them is a loop; the SMTP listener accepts RCPT only for them, `+tag` sub-addresses included) |
/// | `maxMessageBytes` | int | 26214400 | IMAP: larger messages are recorded with their headers only; default of `inbound.maxMessageSize` |
/// | `subjectTokenPrefix` / `subjectTokenSuffix` | text | `[#` / `]` | the conversation token in subjects |
/// | `host` | host name | — | IMAP server; the keys below only with it |
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
/// | `reconnectInitialSeconds` / `reconnectMaxSeconds` | int | 1 / 300 | reconnect backoff (exponential, ±20 % jitter) |
/// | `inbound` | mapping | — | the SMTP/LMTP listener, see ``SMTPInboundSettings`` |
/// | `outbound` | mapping | — | the relay agent replies go through, see ``OutboundSMTPSettings`` |
/// | `autoReply.enabled` | bool | true when the block is given | acknowledge each new conversation (`Auto-Submitted: auto-replied`) |
/// | `autoReply.text` | text | a short thank-you with `{number}` | the acknowledgement; `{number}` is the conversation number |
/// | `autoReply.windowMinutes` | int | 1440 | at most one acknowledgement per customer in this window |
public struct EmailConfiguration: Sendable {
    public var addresses: [String]
    public var maxMessageBytes: Int
    public var subjectToken: SubjectToken
    public var imap: IMAPSettings?
    public var inbound: SMTPInboundSettings?
    public var outbound: OutboundSMTPSettings?
    /// The automatic acknowledgement of new conversations (`autoReply:`); off unless configured.
    public var autoReply: Acknowledgement?

    public static let defaultAutoReplyText =
        "Thank you for your message. We have received it and will answer as soon as we can.\n"
        + "Your reference is {number}; please keep it in the subject when you write again."

    public init(
        addresses: [String], maxMessageBytes: Int = 25 << 20, subjectToken: SubjectToken = SubjectToken(),
        imap: IMAPSettings? = nil, inbound: SMTPInboundSettings? = nil, outbound: OutboundSMTPSettings? = nil,
        autoReply: Acknowledgement? = nil
    ) {
        self.addresses = addresses
        self.maxMessageBytes = maxMessageBytes
        self.subjectToken = subjectToken
        self.imap = imap
        self.inbound = inbound
        self.outbound = outbound
        self.autoReply = autoReply
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
        let maxBytes = config.int("maxMessageBytes", default: 25 << 20, range: 1024...(512 << 20))
        let prefix = config.string("subjectTokenPrefix", default: "[#")
        let suffix = config.string("subjectTokenSuffix", default: "]")
        if prefix.isEmpty || suffix.isEmpty { config.problem("subjectTokenPrefix", "prefix and suffix must not be empty") }
        let inboundReader = config.child("inbound")
        let inbound = inboundReader.flatMap { SMTPInboundSettings(reading: $0, defaultMaxMessageSize: maxBytes) }
        let outbound = config.child("outbound").flatMap { OutboundSMTPSettings(reading: $0, addresses: addresses) }
        var autoReply: Acknowledgement?
        if let block = config.child("autoReply") {
            let enabled = block.bool("enabled", default: true)
            let text = block.string("text", default: Self.defaultAutoReplyText)
            let window = block.int("windowMinutes", default: 1440, range: 1...525_600)
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { block.problem("text", "must not be empty") }
            block.rejectUnknownKeys()
            if enabled {
                if config.values["outbound"] == nil { config.problem("autoReply", "needs an outbound: relay to send through") }
                autoReply = Acknowledgement(text: text, window: .seconds(window * 60))
            }
        }
        var imap: IMAPSettings?
        let givenIMAPKeys = Set(config.values.keys).intersection(IMAPSettings.keys)
        if config.values["host"] != nil {
            imap = IMAPSettings(reading: config)
        } else if !givenIMAPKeys.isEmpty {
            config.problem("host", "is required when IMAP keys are given (\(givenIMAPKeys.sorted().joined(separator: ", ")))")
        } else if inboundReader == nil {
            config.problem("host", "is required: an email channel needs an IMAP mailbox (host, username, …) or an inbound: SMTP/LMTP listener")
        }
        config.rejectUnknownKeys(ignoring: Set(["id", "type"]).union(givenIMAPKeys))
        guard config.problems.all.count == before else { return nil }
        self.init(
            addresses: addresses, maxMessageBytes: maxBytes, subjectToken: SubjectToken(prefix: prefix, suffix: suffix),
            imap: imap, inbound: inbound, outbound: outbound, autoReply: autoReply)
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
