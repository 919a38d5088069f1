import Foundation
import SwitchboardCore

/// The sans-I/O core of the Weibo push URL: query, body and clock in, a decision out.
///
/// Every request carries `signature` = hex SHA-1 of the byte-wise sorted app secret, timestamp
/// and nonce (the documented example: secret `xyz123xyz`, timestamp `1397022061823`, nonce
/// `57155157` → `90e4c22c90a58f26526c2dd5b6c56c8822edeaa1`). Like WeChat's plaintext mode it does
/// not cover the body, so the timestamp window is what limits the replay of a captured URL.
public struct WeiboEndpoint: Sendable {
    public enum Decision: Sendable {
        /// URL verification passed: answer the `echostr` bytes unchanged.
        case verified(echo: String)
        /// Refuse; nothing is stored.
        case rejected(reason: String, status: Int, message: String)
        case push(WeiboPush)
    }

    public let configuration: WeiboConfiguration

    public init(configuration: WeiboConfiguration) {
        self.configuration = configuration
    }

    public func decide(method: String, query: [String: String], body: Data, now: Date) -> Decision {
        let timestamp = query["timestamp"] ?? ""
        let nonce = query["nonce"] ?? ""
        let expected = SortedSHA1Signature.compute([configuration.appSecret, timestamp, nonce])
        guard !timestamp.isEmpty, !nonce.isEmpty, SortedSHA1Signature.matches(expected: expected, given: query["signature"]) else {
            return .rejected(reason: "bad_signature", status: 401, message: "signature does not match app secret, timestamp and nonce")
        }
        if configuration.timestampTolerance > 0 {
            guard let stamp = Double(timestamp),
                abs(now.timeIntervalSince1970 - (stamp > 100_000_000_000 ? stamp / 1000 : stamp)) <= configuration.timestampTolerance
            else {
                return .rejected(
                    reason: "stale_timestamp", status: 401, message: "timestamp is further from the server clock than the channel allows")
            }
        }
        if method == "GET" {
            guard let echo = query["echostr"] else {
                return .rejected(reason: "malformed", status: 400, message: "URL verification without echostr")
            }
            return .verified(echo: echo)
        }
        do {
            return .push(try WeiboPush(json: body))
        } catch {
            return .rejected(reason: "malformed", status: 400, message: "body is not a Weibo push: \(error.reason)")
        }
    }
}
