import Foundation
import SwitchboardCore

/// The keys of a `type: wechat` channel (a WeChat Official Account's server URL).
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `token` | secret (`env:NAME`, `file:PATH` or text) | required | the Token set in the account's server configuration (3–32 letters and digits) |
/// | `encodingAESKey` | secret | required unless `securityMode: plaintext` | the 43-character EncodingAESKey |
/// | `appID` | string | required | the account's AppID (`wx…`); safe-mode messages must end with it |
/// | `appSecret` | secret | none | the AppSecret for the API; without it replies are recorded, not delivered |
/// | `securityMode` | `plaintext`, `compatible` or `safe` | `safe` with a key, else `plaintext` | which pushes are accepted: `safe` only encrypted ones, `compatible` both, `plaintext` only unencrypted |
/// | `apiBaseURL` | URL | `https://api.weixin.qq.com` | the API host (tests point it at a loopback fake) |
/// | `maxBodyBytes` | int | 65536 | larger pushes get `413` |
/// | `timestampToleranceSeconds` | int | 300 | how far a push's `timestamp` may be from our clock; `0` turns the check off |
/// | `conversationEvents` | list of `subscribe`, `SCAN`, `CLICK` | `[]` | events that open (or continue) a conversation instead of only being recorded |
/// | `subscribeReply` | string | none | text answered passively to a `subscribe` event (a welcome message) |
/// | `apiTimeoutSeconds` | int | 10 | per API call |
public struct WeChatConfiguration: Sendable {
    public enum Key {
        public static let token = "token"
        public static let encodingAESKey = "encodingAESKey"
        public static let appID = "appID"
        public static let appSecret = "appSecret"
        public static let securityMode = "securityMode"
        public static let apiBaseURL = "apiBaseURL"
        public static let maxBodyBytes = "maxBodyBytes"
        public static let timestampTolerance = "timestampToleranceSeconds"
        public static let conversationEvents = "conversationEvents"
        public static let subscribeReply = "subscribeReply"
        public static let apiTimeout = "apiTimeoutSeconds"
    }

    /// Which pushes the channel accepts.
    public enum SecurityMode: String, Sendable, CaseIterable {
        /// Unencrypted pushes only; `signature` does not cover the body.
        case plaintext
        /// Both; encrypted pushes are decrypted and their plaintext copy ignored.
        case compatible
        /// Encrypted pushes only (`encrypt_type=aes`).
        case safe
    }

    /// Events that may open a conversation; the others (and these, unless listed) are recorded.
    public static let conversationEventNames = ["subscribe", "SCAN", "CLICK"]
    public static let defaultAPIBaseURL = URL(string: "https://api.weixin.qq.com")

    public var token: String
    public var encodingAESKey: String?
    public var appID: String
    public var appSecret: String?
    public var securityMode: SecurityMode
    public var apiBaseURL: URL
    public var maxBodyBytes: Int
    public var timestampTolerance: TimeInterval
    public var conversationEvents: Set<String>
    public var subscribeReply: String?
    public var apiTimeout: TimeInterval

    public init(
        token: String, encodingAESKey: String?, appID: String, appSecret: String? = nil, securityMode: SecurityMode? = nil,
        apiBaseURL: URL? = nil, maxBodyBytes: Int = 64 << 10, timestampTolerance: TimeInterval = 300,
        conversationEvents: Set<String> = [], subscribeReply: String? = nil, apiTimeout: TimeInterval = 10
    ) {
        self.token = token
        self.encodingAESKey = encodingAESKey
        self.appID = appID
        self.appSecret = appSecret
        self.securityMode = securityMode ?? (encodingAESKey == nil ? .plaintext : .safe)
        self.apiBaseURL = apiBaseURL ?? Self.defaultAPIBaseURL ?? URL(fileURLWithPath: "/")
        self.maxBodyBytes = maxBodyBytes
        self.timestampTolerance = timestampTolerance
        self.conversationEvents = conversationEvents
        self.subscribeReply = subscribeReply
        self.apiTimeout = apiTimeout
    }

    /// Reads and validates the channel's keys; `nil` when any problem was recorded.
    public init?(reading config: ConfigReader) {
        let before = config.problems.all.count
        let token = config.secret(Key.token, required: true)
        if let token, !(3...32).contains(token.utf8.count) || !token.utf8.allSatisfy(Self.isAlphanumeric) {
            config.problem(Key.token, "must be 3 to 32 letters and digits, as WeChat's server configuration requires")
        }
        let mode = config.string(Key.securityMode).map { text -> SecurityMode? in
            guard let mode = SecurityMode(rawValue: text) else {
                config.problem(Key.securityMode, "must be one of plaintext, compatible, safe; found '\(text)'")
                return nil
            }
            return mode
        }
        let key = config.secret(Key.encodingAESKey, required: false)
        if let key, WeChatCrypto.decodeKey(key) == nil {
            config.problem(Key.encodingAESKey, "must be the 43-character EncodingAESKey (letters, digits, + and /)")
        }
        if key == nil, let mode = mode ?? nil, mode != .plaintext {
            config.problem(Key.encodingAESKey, "is required for securityMode \(mode.rawValue)")
        }
        let appID = config.string(Key.appID, required: true)
        if let appID, appID.isEmpty || appID.utf8.count > 64 || !appID.utf8.allSatisfy(Self.isAlphanumeric) {
            config.problem(Key.appID, "must be the account's AppID (letters and digits, e.g. wx5c2e8f1a9b3d7e60)")
        }
        let appSecret = config.secret(Key.appSecret)
        let apiBaseURL = config.httpURL(Key.apiBaseURL)
        let maxBody = config.int(Key.maxBodyBytes, default: 64 << 10, range: 1024...(16 << 20))
        let tolerance = config.int(Key.timestampTolerance, default: 300, range: 0...86_400)
        let events = config.names(
            Key.conversationEvents, allowed: Self.conversationEventNames, refusal: "cannot open a conversation")
        let subscribeReply = config.string(Key.subscribeReply)
        if let subscribeReply, subscribeReply.isEmpty || subscribeReply.utf8.count > 2048 {
            config.problem(Key.subscribeReply, "must be 1 to 2048 bytes of text")
        }
        let timeout = config.int(Key.apiTimeout, default: 10, range: 1...120)
        config.rejectUnknownKeys(ignoring: ["id", "type"])
        guard config.problems.all.count == before, let token, let appID else { return nil }
        self.init(
            token: token, encodingAESKey: key, appID: appID, appSecret: appSecret, securityMode: mode ?? nil,
            apiBaseURL: apiBaseURL, maxBodyBytes: maxBody, timestampTolerance: TimeInterval(tolerance),
            conversationEvents: events, subscribeReply: subscribeReply, apiTimeout: TimeInterval(timeout))
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
}
