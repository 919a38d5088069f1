import Foundation
import SwitchboardWeChat
import Testing

/// The WeChat callback vectors in Fixtures/wechat (copied from the project's protocol corpus,
/// generated and checked with wechatpy 1.8.18; see Fixtures/wechat/README.md).
struct WeChatVector: Decodable, Sendable, CustomTestStringConvertible {
    struct Request: Decodable, Sendable {
        var method: String
        var query: [String: String]
        var body: String?
    }

    struct Input: Decodable, Sendable {
        var replyXML: String
        var timestamp: String
        var nonce: String
        var randomPrefix: String
        enum CodingKeys: String, CodingKey {
            case replyXML = "reply_xml", timestamp, nonce, randomPrefix = "random_prefix"
        }
    }

    struct Message: Decodable, Sendable {
        var type: String
        var event: String?
        var dedupeKey: String
        var fields: [String: String?]
        enum CodingKeys: String, CodingKey { case type, event, dedupeKey = "dedupe_key", fields }
    }

    struct Expect: Decodable, Sendable {
        var outcome: String
        var reason: String?
        var responseBody: String?
        var decryptedXML: String?
        var message: Message?
        var envelopeXML: String?
        enum CodingKeys: String, CodingKey {
            case outcome, reason, message
            case responseBody = "response_body", decryptedXML = "decrypted_xml", envelopeXML = "envelope_xml"
        }
    }

    var file = ""
    var name: String
    var kind: String
    var mode: String
    var request: Request?
    var input: Input?
    var expect: Expect

    enum CodingKeys: String, CodingKey { case name, kind, mode, request, input, expect }

    var testDescription: String { file }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/wechat/vectors")

    /// The configuration the vectors were made with (Fixtures/wechat/README.md).
    static let token = "SwitchboardPublicToken2026"
    static let encodingAESKey = "kF8sQ2vLx4Tn7Wp1Zc9Rb3Hd6Jm0Ye5Ua2Gi8Ko4Nq7"
    static let appID = "wx5c2e8f1a9b3d7e60"

    static let files: [String] = {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }()

    static func load(_ file: String) throws -> WeChatVector {
        var vector = try JSONDecoder().decode(WeChatVector.self, from: Data(contentsOf: directory.appendingPathComponent(file)))
        vector.file = file
        return vector
    }

    static var all: [WeChatVector] { files.compactMap { try? load($0) } }

    /// The vector's request timestamp as a date, so the timestamp window holds.
    var sentAt: Date {
        Date(timeIntervalSince1970: request.flatMap { Double($0.query["timestamp"] ?? "") } ?? 0)
    }

    /// `/channels/<channel>/wechat?<query>` with the vector's query, percent-encoded.
    func path(channel: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let query = (request?.query ?? [:]).sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value)"
        }
        return "/channels/\(channel)/wechat?" + query.joined(separator: "&")
    }

    /// Whether our external id is the dedupe key the vector names (`MsgId:<id>` or
    /// `FromUserName+CreateTime:<openid>+<time>`).
    func matchesDedupeKey(_ externalID: String) -> Bool {
        guard let key = expect.message?.dedupeKey else { return false }
        if key.hasPrefix("MsgId:") { return externalID == String(key.dropFirst(6)) }
        let parts = key.split(separator: ":", maxSplits: 1).last?.split(separator: "+") ?? []
        guard parts.count == 2 else { return false }
        return externalID.hasPrefix("event:\(parts[0]):\(parts[1]):")
    }
}

extension WeChatConfiguration {
    /// The vectors' account in compatible mode (plaintext and safe vectors both apply), with
    /// the timestamp window off: the vectors carry the time they were made.
    static func vectors(tolerance: TimeInterval = 0) -> WeChatConfiguration {
        WeChatConfiguration(
            token: WeChatVector.token, encodingAESKey: WeChatVector.encodingAESKey, appID: WeChatVector.appID,
            securityMode: .compatible, timestampTolerance: tolerance)
    }
}
