import Crypto
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
        let sorted = parts.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        var hasher = Insecure.SHA1()
        for part in sorted { hasher.update(data: part) }
        return hasher.finalize().hexString
    }

    /// Whether `given` is the hex digest `expected`, compared in constant time (upper-case hex
    /// accepted).
    public static func matches(expected: String, given: String?) -> Bool {
        guard let given else { return false }
        let left = Array(expected.utf8)
        let right = Array(given.lowercased().utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
