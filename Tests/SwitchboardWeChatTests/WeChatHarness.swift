import Foundation
import SwitchboardCore
import SwitchboardTesting
import SwitchboardWeChat

/// Builds requests exactly as WeChat's servers send them to an account's server URL: contacts in
/// safe mode (encrypted, `msg_signature` over the ciphertext), raw bodies in plaintext mode
/// (`signature` alone, which does not cover the body) — the channel runs in compatible mode.
struct WeChatHarness: PushAdapterHarness {
    static let token = WeChatVector.token
    static let key = WeChatVector.encodingAESKey
    static let appID = WeChatVector.appID
    let cipher = WeChatCrypto(encodingAESKey: WeChatHarness.key, appID: WeChatHarness.appID)

    var factory: any ChannelAdapterFactory { WeChatAdapterFactory() }

    func channelConfig(id: String) -> [String: ConfigValue] {
        [
            "id": .string(id), "type": .string("wechat"), "token": .string(Self.token), "encodingAESKey": .string(Self.key),
            "appID": .string(Self.appID), "securityMode": .string("compatible"),
        ]
    }

    static func pushXML(msgID: String, sender: String, text: String, createTime: Int) -> String {
        "<xml><ToUserName><![CDATA[gh_3f2a1b0c9d8e]]></ToUserName><FromUserName>\(WeChatPassiveReply.cdata(sender))</FromUserName>"
            + "<CreateTime>\(createTime)</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            + "<Content>\(WeChatPassiveReply.cdata(text))</Content><MsgId>\(msgID)</MsgId></xml>"
    }

    static func query(_ pairs: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value)"
        }.joined(separator: "&")
    }

    /// A safe-mode push of `xml` signed at `timestamp`.
    func encrypted(channel: String, xml: String, timestamp: Int, nonce: String = String(UInt32.random(in: 1...UInt32.max)))
        -> HarnessRequest
    {
        let random = Array(String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16)).utf8)
        let encrypt = cipher?.encrypt(Array(xml.utf8), random: random) ?? ""
        let stamp = String(timestamp)
        let query = Self.query([
            "signature": WeChatSignature.compute([Self.token, stamp, nonce]), "timestamp": stamp, "nonce": nonce,
            "openid": "o", "encrypt_type": "aes", "msg_signature": WeChatSignature.compute([Self.token, stamp, nonce, encrypt]),
        ])
        let body = "<xml>\n<ToUserName><![CDATA[gh_3f2a1b0c9d8e]]></ToUserName>\n<Encrypt><![CDATA[\(encrypt)]]></Encrypt>\n</xml>"
        return HarnessRequest(
            path: "/channels/\(channel)/wechat?\(query)", headers: [(name: "Content-Type", value: "text/xml")], body: Data(body.utf8))
    }

    func contactRequest(channel: String, externalID: String, sender: String, text: String, now: Date) -> HarnessRequest {
        let time = Int(now.timeIntervalSince1970)
        return encrypted(channel: channel, xml: Self.pushXML(msgID: externalID, sender: sender, text: text, createTime: time), timestamp: time)
    }

    func tampered(_ request: HarnessRequest) -> HarnessRequest {
        // One character of the ciphertext changed on the way: msg_signature no longer matches.
        var copy = request
        var text = String(decoding: request.body, as: UTF8.self)
        if let range = text.range(of: "<Encrypt><![CDATA[") {
            let index = range.upperBound
            let replacement: Character = text[index] == "A" ? "B" : "A"
            text.replaceSubrange(index...index, with: String(replacement))
        }
        copy.body = Data(text.utf8)
        return copy
    }

    func unsigned(_ request: HarnessRequest) -> HarnessRequest {
        var copy = request
        guard let mark = request.path.firstIndex(of: "?") else { return copy }
        let kept = request.path[request.path.index(after: mark)...].split(separator: "&").filter {
            !$0.hasPrefix("signature=") && !$0.hasPrefix("msg_signature=")
        }
        copy.path = String(request.path[..<mark]) + "?" + kept.joined(separator: "&")
        return copy
    }

    func staleRequest(channel: String, externalID: String, sender: String, text: String, now: Date) -> HarnessRequest? {
        contactRequest(channel: channel, externalID: externalID, sender: sender, text: text, now: now.addingTimeInterval(-600))
    }

    func signedRequest(channel: String, body: Data, now: Date) -> HarnessRequest {
        let stamp = String(Int(now.timeIntervalSince1970))
        let nonce = "12345"
        let query = Self.query(["signature": WeChatSignature.compute([Self.token, stamp, nonce]), "timestamp": stamp, "nonce": nonce])
        return HarnessRequest(path: "/channels/\(channel)/wechat?\(query)", headers: [(name: "Content-Type", value: "text/xml")], body: body)
    }

    static let header = "<ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName>"

    var hostileBodies: [HostileBody] {
        [
            HostileBody("empty body", Data()),
            HostileBody("truncated XML", Data("<xml><ToUserName><![CDATA[gh_1]]></ToUser".utf8)),
            HostileBody("JSON instead of XML", Data(#"{"ToUserName":"gh_1"}"#.utf8)),
            HostileBody("root other than <xml>", Data("<message>\(Self.header)<CreateTime>1</CreateTime><MsgType>text</MsgType></message>".utf8)),
            HostileBody("no FromUserName", Data("<xml><ToUserName>gh</ToUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>".utf8)),
            HostileBody("CreateTime not a number", Data("<xml>\(Self.header)<CreateTime>yesterday</CreateTime><MsgType>text</MsgType></xml>".utf8)),
            HostileBody(
                "XXE external entity",
                Data("<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml>\(Self.header)<Content>&x;</Content></xml>".utf8)),
            HostileBody(
                "billion laughs",
                Data("<!DOCTYPE xml [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><xml>\(Self.header)<Content>&b;</Content></xml>".utf8)),
            HostileBody("undeclared entity", Data("<xml>\(Self.header)<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&x;</Content><MsgId>9</MsgId></xml>".utf8)),
            HostileBody("2,000-deep nesting", Data((String(repeating: "<a>", count: 2_000) + String(repeating: "</a>", count: 2_000)).utf8)),
            HostileBody("invalid UTF-8", Data([0x3C, 0x78, 0x6D, 0x6C, 0x3E, 0xFF, 0xFE, 0x3C, 0x2F, 0x78, 0x6D, 0x6C, 0x3E])),
            HostileBody("binary garbage", Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) })),
        ]
    }

    var acceptedStatuses: Set<Int> { [200] }
    var duplicateStatuses: Set<Int> { [200] }
}
