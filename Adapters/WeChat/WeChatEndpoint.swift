import Foundation
import SwitchboardCore
import SwitchboardXML

/// The sans-I/O core of the WeChat server URL: query, body and clock in, a decision out.
///
/// It authenticates every request (`signature` over token, timestamp and nonce; in safe mode
/// also `msg_signature` over the ciphertext), decrypts, and reads the XML with ``StrictXML`` —
/// in that order, reporting the first failure. It never stores or answers anything itself, so
/// tests feed it the corpus vectors byte for byte.
public struct WeChatEndpoint: Sendable {
    /// What to do with one request.
    public enum Decision: Sendable {
        /// URL verification passed: answer the `echostr` bytes unchanged.
        case verified(echo: String)
        /// Refuse with the rejection's status; nothing is stored.
        case rejected(WeChatRejection, detail: String)
        /// An authentic push: its fields, the plaintext XML, and whether it came encrypted
        /// (a passive reply must then be encrypted too).
        case push(WeChatPush, xml: [UInt8], encrypted: Bool)
    }

    public let configuration: WeChatConfiguration
    private let crypto: WeChatCrypto?

    public init(configuration: WeChatConfiguration) {
        self.configuration = configuration
        self.crypto = configuration.encodingAESKey.flatMap {
            WeChatCrypto(encodingAESKey: $0, appID: configuration.appID)
        }
    }

    /// The crypto of this channel, when it has an EncodingAESKey.
    public var cipher: WeChatCrypto? { crypto }

    /// Decides on a `GET` (URL verification) or `POST` (push) to the server URL.
    public func decide(method: String, query: [String: String], body: Data, now: Date) -> Decision {
        let timestamp = query["timestamp"] ?? ""
        let nonce = query["nonce"] ?? ""
        let expected = WeChatSignature.compute([configuration.token, timestamp, nonce])
        guard !timestamp.isEmpty, !nonce.isEmpty, WeChatSignature.matches(expected: expected, given: query["signature"]) else {
            return .rejected(.badSignature, detail: query["signature"] == nil ? "signature parameter missing" : "signature mismatch")
        }
        if configuration.timestampTolerance > 0 {
            guard let seconds = Double(timestamp), abs(now.timeIntervalSince1970 - seconds) <= configuration.timestampTolerance
            else { return .rejected(.staleTimestamp, detail: "timestamp \(timestamp)") }
        }
        if method == "GET" {
            guard let echo = query["echostr"] else { return .rejected(.malformed, detail: "URL verification without echostr") }
            return .verified(echo: echo)
        }
        let encrypted = query["encrypt_type"].map { $0.lowercased() == "aes" } ?? false
        switch (encrypted, configuration.securityMode) {
        case (false, .safe): return .rejected(.notEncrypted, detail: "encrypt_type is \(query["encrypt_type"] ?? "absent")")
        case (true, .plaintext):
            return .rejected(.malformed, detail: "encrypted push but the channel is configured for plaintext")
        default: break
        }
        let outer: XMLElement
        switch Self.parse(body) {
        case .success(let element): outer = element
        case .failure(let failure): return failure.decision
        }
        guard encrypted else { return Self.push(outer, xml: Array(body), encrypted: false) }
        guard let crypto else { return .rejected(.malformed, detail: "no encodingAESKey configured") }
        guard let ciphertext = outer.childText("Encrypt"), !ciphertext.isEmpty else {
            return .rejected(.malformed, detail: "encrypted push without an Encrypt element")
        }
        let messageSignature = WeChatSignature.compute([configuration.token, timestamp, nonce, ciphertext])
        guard WeChatSignature.matches(expected: messageSignature, given: query["msg_signature"]) else {
            return .rejected(.badMessageSignature, detail: query["msg_signature"] == nil ? "msg_signature missing" : "msg_signature mismatch")
        }
        let xml: [UInt8]
        switch crypto.decrypt(ciphertext) {
        case .success(let plain): xml = plain
        case .failure(let rejection): return .rejected(rejection, detail: "Encrypt of \(ciphertext.utf8.count) bytes")
        }
        switch Self.parse(Data(xml)) {
        case .success(let inner): return Self.push(inner, xml: xml, encrypted: true)
        case .failure(let failure): return failure.decision
        }
    }

    private static func parse(_ body: Data) -> Result<XMLElement, DecisionFailure> {
        do {
            return .success(try StrictXML.parse(body, limits: XMLLimits(maxDepth: 8, maxElements: 512)))
        } catch {
            return .failure(DecisionFailure(decision: .rejected(error.isForbidden ? .xmlForbidden : .malformed, detail: "\(error)")))
        }
    }

    private static func push(_ root: XMLElement, xml: [UInt8], encrypted: Bool) -> Decision {
        do {
            return .push(try WeChatPush(xml: root), xml: xml, encrypted: encrypted)
        } catch {
            return .rejected(.malformed, detail: error.reason)
        }
    }

    /// A decision carried through `Result` on the failure side.
    private struct DecisionFailure: Error {
        var decision: Decision
    }
}
