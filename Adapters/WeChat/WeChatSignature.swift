import SwitchboardCore

/// WeChat's request signatures: hex SHA-1 of the byte-wise sorted concatenation of the token,
/// the timestamp, the nonce and — for `msg_signature` in safe mode — the `Encrypt` text.
///
/// `signature` (token, timestamp, nonce) comes with every request WeChat sends to the server
/// URL; in plaintext mode it is all there is, and it does not cover the body. `msg_signature`
/// additionally covers the ciphertext, so in safe mode the body is authenticated too.
public enum WeChatSignature {
    /// The lower-case hex SHA-1 of `parts` sorted byte-wise and concatenated.
    public static func compute(_ parts: [String]) -> String {
        SortedSHA1Signature.compute(parts)
    }

    /// Whether `given` is the hex digest `expected`, compared in constant time.
    public static func matches(expected: String, given: String?) -> Bool {
        SortedSHA1Signature.matches(expected: expected, given: given)
    }
}
