import Foundation
import SwitchboardCore
import SwitchboardTesting
import SwitchboardWebChat

/// Signs web chat requests exactly as a chat front-end would.
struct WebChatHarness: PushAdapterHarness {
    static let secret = "webchat-test-secret-0123456789"
    let signature = WebChatSignature(secret: WebChatHarness.secret)

    var factory: any ChannelAdapterFactory { WebChatAdapterFactory() }

    func channelConfig(id: String) -> [String: ConfigValue] {
        ["id": .string(id), "type": .string("webchat"), "secret": .string(Self.secret)]
    }

    func signed(path: String, body: Data, timestamp: Int) -> HarnessRequest {
        HarnessRequest(
            path: path,
            headers: [
                (name: "Content-Type", value: "application/json"),
                (name: WebChatSignature.timestampHeader, value: String(timestamp)),
                (name: WebChatSignature.signatureHeader, value: signature.sign(body: body, timestamp: timestamp)),
            ], body: body)
    }

    static func body(externalID: String, sender: String, text: String) -> Data {
        // JSONSerialization escapes exactly as a front-end's JSON library would.
        (try? JSONSerialization.data(withJSONObject: ["id": externalID, "visitor": ["id": sender], "text": text])) ?? Data()
    }

    func contactRequest(channel: String, externalID: String, sender: String, text: String, now: Date) -> HarnessRequest {
        signed(
            path: "/channels/\(channel)/messages", body: Self.body(externalID: externalID, sender: sender, text: text),
            timestamp: Int(now.timeIntervalSince1970))
    }

    func tampered(_ request: HarnessRequest) -> HarnessRequest {
        var copy = request
        // A proxy re-encoding the JSON with a space: same meaning, different bytes.
        copy.body = Data(String(decoding: request.body, as: UTF8.self).replacingOccurrences(of: ",", with: ", ").utf8)
        return copy
    }

    func unsigned(_ request: HarnessRequest) -> HarnessRequest {
        var copy = request
        copy.headers.removeAll { $0.name == WebChatSignature.signatureHeader }
        return copy
    }

    func staleRequest(channel: String, externalID: String, sender: String, text: String, now: Date) -> HarnessRequest? {
        contactRequest(channel: channel, externalID: externalID, sender: sender, text: text, now: now.addingTimeInterval(-600))
    }

    func signedRequest(channel: String, body: Data, now: Date) -> HarnessRequest {
        signed(path: "/channels/\(channel)/messages", body: body, timestamp: Int(now.timeIntervalSince1970))
    }

    var hostileBodies: [HostileBody] {
        HostileBody.standardJSON + [
            HostileBody("missing id", Data(#"{"visitor":{"id":"v"},"text":"x"}"#.utf8)),
            HostileBody("missing visitor", Data(#"{"id":"h1","text":"x"}"#.utf8)),
            HostileBody("missing visitor.id", Data(#"{"id":"h2","visitor":{},"text":"x"}"#.utf8)),
            HostileBody("empty visitor.id", Data(#"{"id":"h2b","visitor":{"id":""},"text":"x"}"#.utf8)),
            HostileBody("neither text nor attachments", Data(#"{"id":"h3","visitor":{"id":"v"}}"#.utf8)),
            HostileBody("id of the wrong type", Data(#"{"id":42,"visitor":{"id":"v"},"text":"x"}"#.utf8)),
            HostileBody("text of the wrong type", Data(#"{"id":"h4","visitor":{"id":"v"},"text":["x"]}"#.utf8)),
            HostileBody("vipLevel out of range", Data(#"{"id":"h5","visitor":{"id":"v"},"text":"x","vipLevel":11}"#.utf8)),
            HostileBody("vipLevel of the wrong type", Data(#"{"id":"h6","visitor":{"id":"v"},"text":"x","vipLevel":"gold"}"#.utf8)),
            HostileBody("attribute value not a string", Data(#"{"id":"h7","visitor":{"id":"v"},"text":"x","attributes":{"k":1}}"#.utf8)),
            HostileBody("attachment data not base64", Data(#"{"id":"h8","visitor":{"id":"v"},"attachments":[{"name":"a","data":"***"}]}"#.utf8)),
            HostileBody("invalid visitor email", Data(#"{"id":"h9","visitor":{"id":"v","email":"nope"},"text":"x"}"#.utf8)),
            HostileBody("control characters in id", Data(#"{"id":"a\u0000b","visitor":{"id":"v"},"text":"x"}"#.utf8)),
        ]
    }

    var acceptedStatuses: Set<Int> { [202] }
    var duplicateStatuses: Set<Int> { [200] }
}
