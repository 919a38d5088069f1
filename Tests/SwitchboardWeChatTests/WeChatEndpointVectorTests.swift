import Foundation
import SwitchboardCore
import SwitchboardWeChat
import Testing

/// Every corpus vector through the sans-I/O endpoint: the outcome, the decrypted XML, the fields
/// and the dedupe key, byte for byte.
@Suite("WeChat endpoint against the corpus vectors")
struct WeChatEndpointVectorTests {
    let endpoint = WeChatEndpoint(configuration: .vectors())
    let builder = WeChatContactBuilder(channelID: ChannelID(rawValue: "wx"), appID: WeChatVector.appID, conversationEvents: [])

    @Test func theCorpusIsComplete() {
        #expect(WeChatVector.files.count == 40)
        #expect(WeChatVector.all.count == 40)
    }

    @Test(arguments: WeChatVector.files)
    func vector(_ file: String) throws {
        let vector = try WeChatVector.load(file)
        if vector.kind == "reply_encrypt" {
            let input = try #require(vector.input)
            let cipher = try #require(endpoint.cipher)
            let envelope = cipher.envelope(
                replyXML: Array(input.replyXML.utf8), token: WeChatVector.token, timestamp: input.timestamp, nonce: input.nonce,
                random: Array(input.randomPrefix.utf8))
            #expect(vector.expect.outcome == "produce")
            #expect(envelope == vector.expect.envelopeXML)
            return
        }
        let request = try #require(vector.request)
        let decision = endpoint.decide(
            method: request.method, query: request.query, body: Data((request.body ?? "").utf8), now: vector.sentAt)
        switch (vector.expect.outcome, decision) {
        case ("accept", .verified(let echo)):
            #expect(vector.kind == "url_verification")
            #expect(echo == vector.expect.responseBody)
        case ("accept", .push(let push, let xml, let encrypted)):
            #expect(encrypted == (vector.mode == "safe"))
            if let decrypted = vector.expect.decryptedXML { #expect(xml == Array(decrypted.utf8)) }
            let message = try #require(vector.expect.message)
            #expect(push.msgType == message.type)
            // wechatpy lower-cases event names and calls a QR-code follow subscribe_scan.
            #expect(push.event?.lowercased() == message.event.map { $0 == "subscribe_scan" ? "subscribe" : $0 })
            for (name, value) in message.fields {
                if let value { #expect(push.fields[name] == value, "field \(name)") } else { #expect(push[name] == nil, "field \(name)") }
            }
            #expect(vector.matchesDedupeKey(WeChatContactBuilder.externalID(of: push)), "dedupe key \(message.dedupeKey)")
            // And it becomes something storable: a message, or a record for events.
            switch builder.submission(for: push, xml: xml) {
            case .contact(let contact): try contact.validate()
            case .record(let record):
                #expect(push.msgType == "event")
                try record.validate()
            }
        case ("reject", .rejected(let rejection, _)):
            #expect(rejection.rawValue == vector.expect.reason, "first failing check")
            #expect((400..<500).contains(rejection.status))
        default:
            Issue.record("expected \(vector.expect.outcome) (\(vector.expect.reason ?? "-")), got \(decision)")
        }
    }

    @Test("URL verification with a wrong signature does not echo")
    func verificationDoesNotEcho() throws {
        let vector = try WeChatVector.load("02-neg-url-verification-wrong-signature.json")
        let request = try #require(vector.request)
        guard case .rejected(.badSignature, _) = endpoint.decide(method: "GET", query: request.query, body: Data(), now: vector.sentAt)
        else {
            Issue.record("expected bad_signature")
            return
        }
    }

    @Test("a timestamp outside the window is refused even with a valid signature")
    func staleTimestamp() throws {
        let vector = try WeChatVector.load("03-plain-text.json")
        let request = try #require(vector.request)
        let strict = WeChatEndpoint(configuration: .vectors(tolerance: 300))
        let body = Data((request.body ?? "").utf8)
        if case .push = strict.decide(method: "POST", query: request.query, body: body, now: vector.sentAt.addingTimeInterval(299)) {
        } else {
            Issue.record("inside the window must be accepted")
        }
        guard case .rejected(.staleTimestamp, _) = strict.decide(
            method: "POST", query: request.query, body: body, now: vector.sentAt.addingTimeInterval(301))
        else {
            Issue.record("outside the window must be refused")
            return
        }
    }

    @Test("safe mode refuses unencrypted pushes; plaintext mode refuses encrypted ones")
    func modes() throws {
        let plain = try WeChatVector.load("03-plain-text.json")
        let safe = try WeChatVector.load("12-safe-text.json")
        var configuration = WeChatConfiguration.vectors()
        configuration.securityMode = .safe
        let safeOnly = WeChatEndpoint(configuration: configuration)
        configuration.securityMode = .plaintext
        let plainOnly = WeChatEndpoint(configuration: configuration)
        func decide(_ endpoint: WeChatEndpoint, _ vector: WeChatVector) -> WeChatEndpoint.Decision {
            endpoint.decide(
                method: "POST", query: vector.request?.query ?? [:], body: Data((vector.request?.body ?? "").utf8), now: vector.sentAt)
        }
        if case .rejected(.notEncrypted, _) = decide(safeOnly, plain) {} else { Issue.record("safe mode took a plaintext push") }
        if case .push = decide(safeOnly, safe) {} else { Issue.record("safe mode refused an encrypted push") }
        if case .rejected(.malformed, _) = decide(plainOnly, safe) {} else { Issue.record("plaintext mode took an encrypted push") }
        if case .push = decide(plainOnly, plain) {} else { Issue.record("plaintext mode refused a plaintext push") }
    }
}
