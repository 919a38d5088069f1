import SwitchboardCore

/// Why a request to the WeChat server URL was refused: the metric reason, the status and the
/// message in one place.
///
/// The checks run in the order WeChat's own protocol layers them — signature, then (safe mode)
/// the message signature, ciphertext, padding, length field and AppID, then the XML — and the
/// first failure is reported. Nothing is stored for a refused request.
public enum WeChatRejection: String, Error, Sendable, CaseIterable {
    case badSignature = "bad_signature"
    case badMessageSignature = "bad_msg_signature"
    case staleTimestamp = "stale_timestamp"
    case notEncrypted = "not_encrypted"
    case badCiphertext = "bad_ciphertext"
    case badPadding = "bad_padding"
    case badLength = "bad_length"
    case appIDMismatch = "appid_mismatch"
    case xmlForbidden = "xml_forbidden"
    case malformed = "malformed"

    /// The `reason` label of `switchboard_webhook_rejected`: signature failures of either kind
    /// count as `bad_signature`.
    public var metricReason: String {
        self == .badMessageSignature ? WeChatRejection.badSignature.rawValue : rawValue
    }

    /// 401 for failed authentication, 400 for everything else.
    public var status: Int {
        switch self {
        case .badSignature, .badMessageSignature, .staleTimestamp: 401
        default: 400
        }
    }

    /// What the sender is told.
    public var message: String {
        switch self {
        case .badSignature: "signature does not match token, timestamp and nonce"
        case .badMessageSignature: "msg_signature does not match token, timestamp, nonce and Encrypt"
        case .staleTimestamp: "timestamp is further from the server clock than the channel allows"
        case .notEncrypted: "this channel is in safe mode and accepts only encrypted pushes (encrypt_type=aes)"
        case .badCiphertext: "Encrypt is not base64 of whole AES blocks"
        case .badPadding: "decrypted message has invalid PKCS#7 padding"
        case .badLength: "decrypted message length field is past the data"
        case .appIDMismatch: "decrypted message is for another AppID"
        case .xmlForbidden: "XML with a DOCTYPE, entity declaration or undeclared entity is refused"
        case .malformed: "body is not a WeChat push"
        }
    }
}
