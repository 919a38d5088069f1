import Crypto
import Foundation

/// The web chat signing scheme: `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`.
///
/// Used both ways: to verify what a chat front-end posts to us, and to sign what we post to its
/// callback URL. Verification runs on the raw bytes in constant time, and refuses timestamps
/// outside a symmetric tolerance window (default ±300 s) so a captured request cannot be replayed
/// later.
public struct WebChatSignature: Sendable {
    public static let timestampHeader = "X-Switchboard-Timestamp"
    public static let signatureHeader = "X-Switchboard-Signature"

    private let secret: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: secret) }
    /// How far the timestamp may be from our clock, either way.
    public let tolerance: TimeInterval

    public init(secret: String, tolerance: TimeInterval = 300) {
        self.secret = Array(secret.utf8)
        self.tolerance = tolerance
    }

    /// The signature header value for `body` sent at `timestamp` (unix seconds).
    public func sign(body: Data, timestamp: Int) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        return "sha256=" + HMAC<SHA256>.authenticationCode(for: message, using: key).hexString
    }

    /// Why a request's signature was refused.
    public enum Failure: String, Error, Sendable {
        case missingTimestamp = "missing_timestamp"
        case malformedTimestamp = "malformed_timestamp"
        case staleTimestamp = "stale_timestamp"
        case missingSignature = "missing_signature"
        case malformedSignature = "malformed_signature"
        case badSignature = "bad_signature"

        /// What the sender is told (401 body).
        public var message: String {
            switch self {
            case .missingTimestamp: "missing X-Switchboard-Timestamp header"
            case .malformedTimestamp: "X-Switchboard-Timestamp must be unix seconds"
            case .staleTimestamp: "X-Switchboard-Timestamp is more than the allowed tolerance away from the server clock"
            case .missingSignature: "missing X-Switchboard-Signature header"
            case .malformedSignature: "X-Switchboard-Signature must be sha256=<64 hex digits>"
            case .badSignature: "signature does not match the body"
            }
        }
    }

    /// Checks the timestamp window and the HMAC of the raw body.
    public func verify(body: Data, timestamp: String?, signature: String?, now: Date) -> Failure? {
        guard let timestamp else { return .missingTimestamp }
        let stamp = Self.trimmedSpaces(timestamp)
        guard !stamp.isEmpty, stamp.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), stamp.count <= 12,
            let seconds = Int(String(decoding: stamp, as: UTF8.self))
        else { return .malformedTimestamp }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else { return .staleTimestamp }
        guard let signature else { return .missingSignature }
        let value = Self.trimmedSpaces(signature)
        let prefix = Array("sha256=".utf8)
        guard value.count == prefix.count + 64, value.starts(with: prefix),
            let mac = Self.hexBytes(value[prefix.count...])
        else { return .malformedSignature }
        var message = stamp
        message.reserveCapacity(stamp.count + 1 + body.count)
        message.append(0x2E)  // "."
        message.append(contentsOf: body)
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message, using: key) ? nil : .badSignature
    }

    /// The UTF-8 bytes of `text` without leading and trailing spaces and tabs.
    private static func trimmedSpaces(_ text: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        let leading = bytes.prefix { $0 == 0x20 || $0 == 0x09 }.count
        if leading > 0 { bytes.removeFirst(leading) }
        return bytes
    }

    static func hexBytes(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        let utf8 = Array(text)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }
}
