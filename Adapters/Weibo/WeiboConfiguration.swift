import Foundation
import SwitchboardCore

/// The keys of a `type: weibo` channel (a Weibo account's fan-service message push, 粉丝服务).
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `appKey` | string | required | the AppKey of the fan-service application |
/// | `appSecret` | secret (`env:NAME`, `file:PATH` or text) | required | the AppSecret: every push is signed with it |
/// | `accessToken` | secret | none | the fan-service access token for replies; without it replies are recorded, not delivered |
/// | `apiBaseURL` | URL | `https://m.api.weibo.com` | the API host (tests point it at a loopback fake) |
/// | `maxBodyBytes` | int | 65536 | larger pushes get `413` |
/// | `timestampToleranceSeconds` | int | 300 | how far a push's `timestamp` (milliseconds or seconds) may be from our clock; `0` turns the check off |
/// | `conversationEvents` | list of `subscribe`, `follow`, `scan`, `scan_follow`, `click` | `[]` | events that open (or continue) a conversation instead of only being recorded |
/// | `apiTimeoutSeconds` | int | 10 | per API call |
public struct WeiboConfiguration: Sendable {
    public enum Key {
        public static let appKey = "appKey"
        public static let appSecret = "appSecret"
        public static let accessToken = "accessToken"
        public static let apiBaseURL = "apiBaseURL"
        public static let maxBodyBytes = "maxBodyBytes"
        public static let timestampTolerance = "timestampToleranceSeconds"
        public static let conversationEvents = "conversationEvents"
        public static let apiTimeout = "apiTimeoutSeconds"
    }

    public static let conversationEventNames = ["subscribe", "follow", "scan", "scan_follow", "click"]
    public static let defaultAPIBaseURL = URL(string: "https://m.api.weibo.com")

    public var appKey: String
    public var appSecret: String
    public var accessToken: String?
    public var apiBaseURL: URL
    public var maxBodyBytes: Int
    public var timestampTolerance: TimeInterval
    public var conversationEvents: Set<String>
    public var apiTimeout: TimeInterval

    public init(
        appKey: String, appSecret: String, accessToken: String? = nil, apiBaseURL: URL? = nil, maxBodyBytes: Int = 64 << 10,
        timestampTolerance: TimeInterval = 300, conversationEvents: Set<String> = [], apiTimeout: TimeInterval = 10
    ) {
        self.appKey = appKey
        self.appSecret = appSecret
        self.accessToken = accessToken
        self.apiBaseURL = apiBaseURL ?? Self.defaultAPIBaseURL ?? URL(fileURLWithPath: "/")
        self.maxBodyBytes = maxBodyBytes
        self.timestampTolerance = timestampTolerance
        self.conversationEvents = conversationEvents
        self.apiTimeout = apiTimeout
    }

    /// Reads and validates the channel's keys; `nil` when any problem was recorded.
    public init?(reading config: ConfigReader) {
        let before = config.problems.all.count
        let appKey = config.string(Key.appKey, required: true)
        if let appKey, appKey.isEmpty || appKey.utf8.count > 64 || !appKey.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) }) {
            config.problem(Key.appKey, "must be the application's AppKey (letters and digits)")
        }
        let appSecret = config.secret(Key.appSecret, required: true)
        if let appSecret, appSecret.utf8.count < 8 {
            config.problem(Key.appSecret, "must be the application's AppSecret (at least 8 characters)")
        }
        let accessToken = config.secret(Key.accessToken)
        let apiBaseURL = config.httpURL(Key.apiBaseURL)
        let maxBody = config.int(Key.maxBodyBytes, default: 64 << 10, range: 1024...(16 << 20))
        let tolerance = config.int(Key.timestampTolerance, default: 300, range: 0...86_400)
        let events = config.names(
            Key.conversationEvents, allowed: Self.conversationEventNames, refusal: "cannot open a conversation")
        let timeout = config.int(Key.apiTimeout, default: 10, range: 1...120)
        config.rejectUnknownKeys(ignoring: ["id", "type"])
        guard config.problems.all.count == before, let appKey, let appSecret else { return nil }
        self.init(
            appKey: appKey, appSecret: appSecret, accessToken: accessToken, apiBaseURL: apiBaseURL, maxBodyBytes: maxBody,
            timestampTolerance: TimeInterval(tolerance), conversationEvents: events, apiTimeout: TimeInterval(timeout))
    }
}
