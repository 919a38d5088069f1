import Crypto
import Foundation
import SwitchboardCore
import _CryptoExtras

/// WeChat's safe mode ("安全模式"): AES-256-CBC over `random(16) ‖ uint32 BE length ‖ XML ‖ AppID`,
/// PKCS#7-padded to 32-byte blocks, base64-encoded into the `Encrypt` element.
///
/// The key is the 43-character EncodingAESKey with `=` appended, base64-decoded **leniently**:
/// most real keys end in a character whose two low bits are not zero, which strict decoders
/// refuse. The IV is the key's first 16 bytes. Decryption checks everything a strict decoder
/// can: whole AES blocks, every padding byte (1…32), the length field within the data, the AppID.
public struct WeChatCrypto: Sendable {
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }
    private let iv: [UInt8]
    private let appID: [UInt8]

    /// `nil` when `encodingAESKey` is not 43 base64 characters.
    public init?(encodingAESKey: String, appID: String) {
        guard let keyBytes = Self.decodeKey(encodingAESKey) else { return nil }
        self.keyBytes = keyBytes
        iv = Array(keyBytes.prefix(16))
        self.appID = Array(appID.utf8)
    }

    /// The 32 key bytes of a 43-character EncodingAESKey, ignoring the two bits past the 256th.
    public static func decodeKey(_ encodingAESKey: String) -> [UInt8]? {
        let characters = Array(encodingAESKey.utf8)
        guard characters.count == 43 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in characters {
            guard let value = base64Value(character) else { return nil }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        return bytes.count == 32 ? bytes : nil
    }

    private static func base64Value(_ character: UInt8) -> UInt8? {
        switch character {
        case 0x41...0x5A: character - 0x41
        case 0x61...0x7A: character - 0x61 + 26
        case 0x30...0x39: character - 0x30 + 52
        case 0x2B: 62
        case 0x2F: 63
        default: nil
        }
    }

    /// The XML inside `encrypted` (the text of `Encrypt`), or the first check it fails.
    public func decrypt(_ encrypted: String) -> Result<[UInt8], WeChatRejection> {
        guard let ciphertext = Data(base64Encoded: encrypted), !ciphertext.isEmpty, ciphertext.count % 16 == 0 else {
            return .failure(.badCiphertext)
        }
        let plain: [UInt8]
        do {
            plain = Array(try AES._CBC.decrypt(ciphertext, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
        } catch {
            return .failure(.badCiphertext)
        }
        guard let pad = plain.last, (1...32).contains(pad), Int(pad) <= plain.count,
            plain.suffix(Int(pad)).allSatisfy({ $0 == pad })
        else { return .failure(.badPadding) }
        let end = plain.count - Int(pad)
        guard end >= 20 else { return .failure(.badLength) }
        let length = plain[16..<20].reduce(0) { ($0 << 8) | Int($1) }
        let xmlEnd = 20 + length
        guard xmlEnd <= end else { return .failure(.badLength) }
        guard plain[xmlEnd..<end].elementsEqual(appID) else { return .failure(.appIDMismatch) }
        return .success(Array(plain[20..<xmlEnd]))
    }

    /// `xml` encrypted for `Encrypt` with the 16-byte `random` prefix (use fresh random bytes;
    /// tests pass fixed ones).
    public func encrypt(_ xml: [UInt8], random: [UInt8]) -> String {
        var plain = random
        let length = UInt32(xml.count)
        plain.append(contentsOf: [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)])
        plain.append(contentsOf: xml)
        plain.append(contentsOf: appID)
        let pad = 32 - plain.count % 32
        plain.append(contentsOf: repeatElement(UInt8(pad), count: pad))
        // Whole blocks and a 16-byte IV: the only errors AES-CBC can raise cannot happen here.
        let ciphertext = (try? AES._CBC.encrypt(plain, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true)) ?? Data()
        return ciphertext.base64EncodedString()
    }

    /// The safe-mode envelope of a passive reply, as WeChat expects it in the HTTP answer.
    public func envelope(replyXML: [UInt8], token: String, timestamp: String, nonce: String, random: [UInt8]) -> String {
        let encrypted = encrypt(replyXML, random: random)
        let signature = WeChatSignature.compute([token, timestamp, nonce, encrypted])
        return "<xml>\n<Encrypt><![CDATA[\(encrypted)]]></Encrypt>\n<MsgSignature><![CDATA[\(signature)]]></MsgSignature>\n"
            + "<TimeStamp>\(timestamp)</TimeStamp>\n<Nonce><![CDATA[\(nonce)]]></Nonce>\n</xml>"
    }
}
