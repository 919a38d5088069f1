import Foundation
import SwitchboardCore

/// Turns a ``WeiboPush`` into a message in the sender's conversation, or a record.
///
/// | type | becomes |
/// |---|---|
/// | `text` | a message with the text |
/// | `position` | a message with a `location` part (`data.latitude`, `data.longitude`) |
/// | `voice`, `image` | a message with a `media` part: `data.tovfid`, the id the account reads the file by (`/2/mss/msget`), else `data.vfid` |
/// | `mention` | a message with the mentioning text and an `event` part (`subtype` status or comment, `key` its id) |
/// | `event` | a record (reason `event`), or a message with an `event` part when the subtype is listed in `conversationEvents` (never `unsubscribe`/`unfollow`) |
/// | anything else | a record (reason `unsupported`) with the JSON as received |
///
/// Weibo sends no message id, so the external id is the sender, `created_at`, type and a hash
/// of the text and data: a retry of the same push has the same id.
public struct WeiboContactBuilder: Sendable {
    public enum Submission: Sendable, Hashable {
        case contact(InboundContact)
        case record(RecordedContact)
    }

    public static let handleKind = "weibo-uid"
    public static let unsupported = RecordReason("unsupported")

    public let channelID: ChannelID
    public let conversationEvents: Set<String>

    public init(channelID: ChannelID, conversationEvents: Set<String>) {
        self.channelID = channelID
        self.conversationEvents = Set(conversationEvents.map { $0.lowercased() })
    }

    public static func externalID(of push: WeiboPush) -> String {
        "\(push.senderID):\(Int64(push.createdAt.timeIntervalSince1970)):\(push.type):\(push.contentHash.prefix(32))"
    }

    public func submission(for push: WeiboPush, raw body: Data) -> Submission {
        let raw = RawPayload(contentType: "application/json", bytes: body)
        let sender = Handle(kind: Self.handleKind, value: String(push.senderID))
        var contact = InboundContact(
            channelID: channelID, channelKind: .weibo, externalID: Self.externalID(of: push), occurredAt: push.createdAt,
            sender: sender, recipient: String(push.receiverID), routing: RoutingAttributes(extra: ["type": push.type]), raw: raw)
        let text = push.text.isEmpty ? nil : push.text
        switch push.type {
        case "text":
            contact.text = text
        case "position":
            guard let latitude = push.data["latitude"].flatMap(Double.init), let longitude = push.data["longitude"].flatMap(Double.init)
            else { return record(push, contact: contact, reason: .unreadable, detail: "position without numeric latitude/longitude") }
            contact.parts = [.location(latitude: latitude, longitude: longitude, label: text)]
        case "voice", "image":
            contact.parts = [.media(RemoteMedia(kind: push.type, mediaID: push.data["tovfid"] ?? push.data["vfid"]))]
            contact.text = nil
        case "mention":
            contact.text = text
            contact.parts = [.event(name: "mention", fields: push.data)]
        case "event":
            let subtype = (push.data["subtype"] ?? "").lowercased()
            guard !["unsubscribe", "unfollow"].contains(subtype), conversationEvents.contains(subtype) else {
                return record(push, contact: contact, reason: .channelEvent, detail: Self.describe(push))
            }
            contact.parts = [.event(name: subtype, fields: push.data)]
            if subtype == "click" { contact.routing.keyword = push.data["key"] }
            contact.routing.extra["event"] = subtype
        default:
            return record(push, contact: contact, reason: Self.unsupported, detail: "type \(push.type) is not turned into a message; the JSON is kept as received")
        }
        return .contact(contact)
    }

    private func record(_ push: WeiboPush, contact: InboundContact, reason: RecordReason, detail: String) -> Submission {
        var summary = push.type
        if let subtype = push.data["subtype"] { summary += " \(subtype)" }
        if let key = push.data["key"], !key.isEmpty { summary += " \(key)" }
        return .record(
            RecordedContact(
                channelID: channelID, channelKind: .weibo, externalID: contact.externalID, occurredAt: contact.occurredAt,
                sender: contact.sender, summary: summary.prefix(utf8Bytes: 1024), reason: reason,
                detail: detail.prefix(utf8Bytes: 4000), raw: contact.raw))
    }

    static func describe(_ push: WeiboPush) -> String {
        let fields = push.data.keys.sorted().map { "\($0)=\(push.data[$0] ?? "")" }.joined(separator: " ")
        return "Weibo \(push.type)" + (fields.isEmpty ? "" : ": \(fields)")
    }
}
