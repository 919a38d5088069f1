import Foundation
import Synchronization
import SwitchboardCore
import SwitchboardTesting
import SwitchboardWeibo

/// Builds pushes as Weibo's message service sends them: JSON signed in the query with the app
/// secret, timestamp in milliseconds and nonce (the signature does not cover the body).
final class WeiboHarness: PushAdapterHarness, Sendable {
    static let appSecret = "weibo-app-secret-0123456789"
    /// Weibo has no message id: the stored id is computed from the push, remembered here by the
    /// kit's id.
    private let ids = Mutex<[String: String]>([:])

    var factory: any ChannelAdapterFactory { WeiboAdapterFactory() }

    func channelConfig(id: String) -> [String: ConfigValue] {
        ["id": .string(id), "type": .string("weibo"), "appKey": .string("3165728831"), "appSecret": .string(Self.appSecret)]
    }

    /// A stable positive uid for a test's sender name.
    static func uid(_ name: String) -> Int64 {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return 5_000_000_000 + Int64(hash)
    }

    static func createdAt(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        formatter.dateFormat = "EEE MMM dd HH:mm:ss Z yyyy"
        return formatter.string(from: date)
    }

    static func body(sender: Int64, text: String, date: Date, type: String = "text", data: [String: String] = [:]) -> Data {
        let object: [String: Any] = [
            "type": type, "receiver_id": 1_902_538_057, "sender_id": sender, "created_at": createdAt(date), "text": text, "data": data,
        ]
        return (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    }

    static func query(timestamp: Date, nonce: String = String(UInt32.random(in: 1...UInt32.max))) -> String {
        let stamp = String(Int64(timestamp.timeIntervalSince1970 * 1000))
        return "signature=\(SortedSHA1Signature.compute([appSecret, stamp, nonce]))&timestamp=\(stamp)&nonce=\(nonce)"
    }

    func contactRequest(channel: String, externalID: String, sender: String, text: String, now: Date) -> HarnessRequest {
        // The kit's id rides in data, so two contacts with the same text stay two.
        let body = Self.body(sender: Self.uid(sender), text: text, date: now, data: ["kit": externalID])
        if let push = try? WeiboPush(json: body) {
            ids.withLock { $0[externalID] = WeiboContactBuilder.externalID(of: push) }
        }
        return signedRequest(channel: channel, body: body, now: now)
    }

    func storedExternalID(for externalID: String) -> String {
        ids.withLock { $0[externalID] } ?? externalID
    }

    func tampered(_ request: HarnessRequest) -> HarnessRequest {
        var copy = request
        copy.path = request.path.replacingOccurrences(of: "signature=", with: "signature=0")
        return copy
    }

    func unsigned(_ request: HarnessRequest) -> HarnessRequest {
        var copy = request
        guard let mark = request.path.firstIndex(of: "?") else { return copy }
        let kept = request.path[request.path.index(after: mark)...].split(separator: "&").filter { !$0.hasPrefix("signature=") }
        copy.path = String(request.path[..<mark]) + "?" + kept.joined(separator: "&")
        return copy
    }

    func staleRequest(channel: String, externalID: String, sender: String, text: String, now: Date) -> HarnessRequest? {
        let body = Self.body(sender: Self.uid(sender), text: text, date: now, data: ["kit": externalID])
        return signedRequest(channel: channel, body: body, now: now.addingTimeInterval(-600))
    }

    func signedRequest(channel: String, body: Data, now: Date) -> HarnessRequest {
        HarnessRequest(
            path: "/channels/\(channel)/weibo?\(Self.query(timestamp: now))", headers: [(name: "Content-Type", value: "application/json")],
            body: body)
    }

    var hostileBodies: [HostileBody] {
        HostileBody.standardJSON + [
            HostileBody("missing sender_id", Data(#"{"type":"text","receiver_id":1,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"x"}"#.utf8)),
            HostileBody("sender_id a float", Data(#"{"type":"text","receiver_id":1,"sender_id":2.5,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"x"}"#.utf8)),
            HostileBody("sender_id past 64 bits", Data(#"{"type":"text","receiver_id":1,"sender_id":18446744073709551617,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"x"}"#.utf8)),
            HostileBody("created_at not a Weibo time", Data(#"{"type":"text","receiver_id":1,"sender_id":2,"created_at":"2012-07-16T18:09:20Z","text":"x"}"#.utf8)),
            HostileBody("text of the wrong type", Data(#"{"type":"text","receiver_id":1,"sender_id":2,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":["x"]}"#.utf8)),
            HostileBody("data a string", Data(#"{"type":"text","receiver_id":1,"sender_id":2,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"x","data":"x"}"#.utf8)),
        ]
    }

    var acceptedStatuses: Set<Int> { [200] }
    var duplicateStatuses: Set<Int> { [200] }
}
