import Foundation
import SwitchboardWeChat
import Testing

@Suite("WeChat safe-mode crypto")
struct WeChatCryptoTests {
    let cipher = WeChatCrypto(encodingAESKey: WeChatVector.encodingAESKey, appID: WeChatVector.appID)

    @Test("the EncodingAESKey decodes leniently to the documented key")
    func keyDerivation() throws {
        let key = try #require(WeChatCrypto.decodeKey(WeChatVector.encodingAESKey))
        #expect(key.hexString == "905f2c436bcbc784e7ed6a7565cf516f71dde899b461ee546b61a2f0aa3836ae")
        #expect(WeChatCrypto.decodeKey(String(WeChatVector.encodingAESKey.dropLast())) == nil)
        #expect(WeChatCrypto.decodeKey(String(WeChatVector.encodingAESKey.dropLast()) + "=") == nil)
        #expect(WeChatCrypto.decodeKey(String(WeChatVector.encodingAESKey.dropLast()) + "-") == nil)
    }

    @Test("encrypt then decrypt gives the XML back for every length around the 32-byte pad")
    func roundTrip() throws {
        let cipher = try #require(cipher)
        for length in 0...80 {
            let xml = Array(String(repeating: "x", count: length).utf8)
            let encrypted = cipher.encrypt(xml, random: Array("0123456789abcdef".utf8))
            let plain = try cipher.decrypt(encrypted).get()
            #expect(plain == xml, "length \(length)")
        }
    }

    @Test("another account's AppID is refused")
    func otherAppID() throws {
        let other = try #require(WeChatCrypto(encodingAESKey: WeChatVector.encodingAESKey, appID: "wx0000000000000000"))
        let encrypted = other.encrypt(Array("<xml/>".utf8), random: Array("0123456789abcdef".utf8))
        #expect(try #require(cipher).decrypt(encrypted) == .failure(.appIDMismatch))
    }

    @Test("ciphertext that is not base64 of whole blocks is refused", arguments: ["", "not base64!", "AAAA", "QUJDRA=="])
    func badCiphertext(_ text: String) throws {
        #expect(try #require(cipher).decrypt(text) == .failure(.badCiphertext))
    }
}

extension Sequence where Element == UInt8 {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
