import SwitchboardCore

/// What one answer of WeChat's API means for a delivery, from its `errcode`.
///
/// WeChat answers HTTP 200 with `{"errcode": N, "errmsg": "…"}` for errors of every kind, so the
/// code decides: `0` is success; an invalid or expired access token (40001, 40014, 42001) means
/// fetch a new one and try again; system busy (-1) and rate limits (45009, 45011) are retried
/// from the outbox; everything else (45015 outside the 48-hour window, 43004 the customer
/// unfollowed, 40003 an unknown OpenID, …) cannot succeed by trying again and fails the reply
/// with WeChat's code and message.
public enum WeChatAPIResult: Sendable, Hashable {
    case success
    case tokenRejected(errcode: Int, errmsg: String)
    case transient(errcode: Int, errmsg: String)
    case permanent(errcode: Int, errmsg: String)

    public static let tokenErrors: Set<Int> = [40001, 40014, 42001]
    public static let transientErrors: Set<Int> = [-1, 45009, 45011]

    public init(errcode: Int, errmsg: String) {
        switch errcode {
        case 0: self = .success
        case _ where Self.tokenErrors.contains(errcode): self = .tokenRejected(errcode: errcode, errmsg: errmsg)
        case _ where Self.transientErrors.contains(errcode): self = .transient(errcode: errcode, errmsg: errmsg)
        default: self = .permanent(errcode: errcode, errmsg: errmsg)
        }
    }

    /// The reason recorded with a failed or retried reply: WeChat's code and message, and what it
    /// means where that is not obvious.
    public static func describe(errcode: Int, errmsg: String) -> String {
        var text = "WeChat errcode \(errcode): \(errmsg)"
        switch errcode {
        case 45015: text += " (the customer last wrote more than 48 hours ago; WeChat allows customer-service messages only within 48 hours)"
        case 43004: text += " (the customer no longer follows the account)"
        case 45047: text += " (too many messages since the customer last wrote)"
        case 40003: text += " (the OpenID is not a follower of this account)"
        case 45009, 45011: text += " (API rate limit)"
        case -1: text += " (WeChat system busy)"
        default: break
        }
        return text
    }

    /// The delivery error for a non-success result.
    public var deliveryError: DeliveryError? {
        switch self {
        case .success: nil
        case .tokenRejected(let code, let message), .transient(let code, let message):
            .retryable(Self.describe(errcode: code, errmsg: message))
        case .permanent(let code, let message): .permanent(Self.describe(errcode: code, errmsg: message))
        }
    }
}
