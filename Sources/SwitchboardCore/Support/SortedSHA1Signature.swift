import Crypto

/// The request signature WeChat and Weibo both use: hex SHA-1 of the byte-wise sorted
/// concatenation of a shared secret and the request's parameters (timestamp, nonce, …).
///
/// It lives in Core because two channel families share it byte for byte; each adapter decides
/// which parts go in (WeChat: token, timestamp, nonce and, in safe mode, the ciphertext; Weibo:
/// app secret, timestamp, nonce).
public enum SortedSHA1Signature {
    /// The lower-case hex SHA-1 of `parts` sorted byte-wise and concatenated.
    public static func compute(_ parts: [String]) -> String {
        let sorted = parts.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        var hasher = Insecure.SHA1()
        for part in sorted { hasher.update(data: part) }
        return hasher.finalize().hexString
    }

    /// Whether `given` is the hex digest `expected`, compared in constant time (upper-case hex
    /// accepted); `false` for a missing or differently sized value.
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
