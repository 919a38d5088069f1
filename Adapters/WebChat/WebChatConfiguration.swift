import Foundation
import SwitchboardCore

/// The keys of a `type: webchat` channel.
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `secret` | secret (`env:NAME`, `file:PATH` or text) | required | HMAC key shared with the chat front-end |
/// | `callbackURL` | URL | none | where agent replies are POSTed; without it replies are recorded but not delivered |
/// | `maxBodyBytes` | int | 1048576 | larger requests get `413` |
/// | `timestampToleranceSeconds` | int | 300 | allowed clock skew either way |
/// | `callbackTimeoutSeconds` | int | 10 | per delivery attempt |
/// | `allowPrivateCallbackAddresses` | bool | false | allow a callback URL resolving to loopback, RFC 1918 or link-local addresses |
public struct WebChatConfiguration: Sendable {
    public enum Key {
        public static let secret = "secret"
        public static let callbackURL = "callbackURL"
        public static let maxBodyBytes = "maxBodyBytes"
        public static let timestampTolerance = "timestampToleranceSeconds"
        public static let callbackTimeout = "callbackTimeoutSeconds"
        public static let allowPrivateCallbackAddresses = "allowPrivateCallbackAddresses"
    }

    public var secret: String
    public var callbackURL: URL?
    public var maxBodyBytes: Int
    public var timestampTolerance: TimeInterval
    public var callbackTimeout: TimeInterval
    public var allowPrivateCallbackAddresses: Bool

    public init(
        secret: String, callbackURL: URL? = nil, maxBodyBytes: Int = 1 << 20, timestampTolerance: TimeInterval = 300,
        callbackTimeout: TimeInterval = 10, allowPrivateCallbackAddresses: Bool = false
    ) {
        self.secret = secret
        self.callbackURL = callbackURL
        self.maxBodyBytes = maxBodyBytes
        self.timestampTolerance = timestampTolerance
        self.callbackTimeout = callbackTimeout
        self.allowPrivateCallbackAddresses = allowPrivateCallbackAddresses
    }

    /// Reads and validates the channel's keys; `nil` when any problem was recorded.
    public init?(reading config: ConfigReader) {
        let before = config.problems.all.count
        let secret = config.secret(Key.secret, required: true)
        if let secret, secret.utf8.count < 16 {
            config.problem(Key.secret, "must be at least 16 bytes long")
        }
        let callbackURL = config.httpURL(Key.callbackURL)
        let maxBody = config.int(Key.maxBodyBytes, default: 1 << 20, range: 1024...(64 << 20))
        let tolerance = config.int(Key.timestampTolerance, default: 300, range: 1...86_400)
        let timeout = config.int(Key.callbackTimeout, default: 10, range: 1...300)
        let allowPrivate = config.bool(Key.allowPrivateCallbackAddresses, default: false)
        config.rejectUnknownKeys(ignoring: ["id", "type"])
        guard config.problems.all.count == before, let secret else { return nil }
        self.init(
            secret: secret, callbackURL: callbackURL, maxBodyBytes: maxBody, timestampTolerance: TimeInterval(tolerance),
            callbackTimeout: TimeInterval(timeout), allowPrivateCallbackAddresses: allowPrivate)
    }
}
