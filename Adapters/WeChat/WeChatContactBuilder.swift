import Foundation
import SwitchboardCore

/// Turns an authentic ``WeChatPush`` into what the gateway stores: a message in the customer's
/// conversation, or a record kept against the customer's handle.
///
/// | MsgType | becomes |
/// |---|---|
/// | `text` | a message with the `Content` as text |
/// | `image` | a message with a `media` part (`MediaId`, `PicUrl`) |
/// | `voice` | a message with a `media` part (`MediaId`, `Format`, `Recognition`); the recognized speech is also its text |
/// | `video`, `shortvideo` | a message with a `media` part (`MediaId`, `ThumbMediaId`) |
/// | `location` | a message with a `location` part (`Location_X`, `Location_Y`, `Label`; `Scale` in the routing extras) |
/// | `link` | a message with a `link` part (`Url`, `Title`); the `Description` is its text |
/// | `event` | a record (reason `event`), or a message with an `event` part when the event is listed in `conversationEvents` — never for `unsubscribe` |
/// | anything else | a record (reason `unsupported`) so nothing WeChat sent is lost |
///
/// Ids: messages dedupe on `MsgId`; events on `FromUserName` + `CreateTime` + `Event` (WeChat
/// sends events without an id and retries them with the same stamp).
public struct WeChatContactBuilder: Sendable {
    /// What one push becomes.
    public enum Submission: Sendable, Hashable {
        case contact(InboundContact)
        case record(RecordedContact)
    }

    public static let openIDHandleKind = "wechat-openid"
    public static let unionIDHandleKind = "wechat-unionid"
    public static let unsupported = RecordReason("unsupported")

    public let channelID: ChannelID
    public let appID: String
    /// Lower-cased: WeChat writes `subscribe` but `CLICK`, and matching ignores case.
    public let conversationEvents: Set<String>

    public init(channelID: ChannelID, appID: String, conversationEvents: Set<String>) {
        self.channelID = channelID
        self.appID = appID
        self.conversationEvents = Set(conversationEvents.map { $0.lowercased() })
    }

    /// The customer's handle: the OpenID scoped by the account's AppID (OpenIDs are per account).
    public func handle(openID: String) -> Handle {
        Handle(kind: Self.openIDHandleKind, value: "\(appID):\(openID)")
    }

    /// The dedupe key of a push: `MsgId` for messages, sender + time + event for events.
    public static func externalID(of push: WeChatPush) -> String {
        if let msgID = push.msgID { return msgID }
        if let event = push.event { return "event:\(push.fromUserName):\(push.createTime):\(event)" }
        return "\(push.msgType):\(push.fromUserName):\(push.createTime)"
    }

    public func submission(for push: WeChatPush, xml: [UInt8]) -> Submission {
        let raw = RawPayload(contentType: "application/xml", bytes: Data(xml))
        let occurredAt = Date(timeIntervalSince1970: TimeInterval(push.createTime))
        let externalID = Self.externalID(of: push)
        var contact = InboundContact(
            channelID: channelID, channelKind: .wechat, externalID: externalID, occurredAt: occurredAt,
            sender: handle(openID: push.fromUserName), recipient: push.toUserName,
            routing: RoutingAttributes(extra: ["msgType": push.msgType]), raw: raw)
        // A UnionID is WeChat saying that OpenIDs of several accounts are one person.
        if let unionID = push["UnionID"] ?? push["UnionId"] {
            contact.linkedHandles = [Handle(kind: Self.unionIDHandleKind, value: unionID)]
        }
        switch push.msgType {
        case "text":
            contact.text = push["Content"]
        case "image":
            contact.parts = [.media(RemoteMedia(kind: "image", mediaID: push["MediaId"], url: push["PicUrl"]))]
        case "voice":
            let recognition = push["Recognition"]
            contact.parts = [.media(RemoteMedia(kind: "voice", mediaID: push["MediaId"], format: push["Format"], recognition: recognition))]
            contact.text = recognition
        case "video", "shortvideo":
            contact.parts = [
                .media(RemoteMedia(kind: push.msgType, mediaID: push["MediaId"], thumbnailMediaID: push["ThumbMediaId"]))
            ]
        case "location":
            guard let latitude = push["Location_X"].flatMap(Double.init), let longitude = push["Location_Y"].flatMap(Double.init)
            else { return unreadable(push, externalID: externalID, raw: raw, why: "location without numeric Location_X/Location_Y") }
            contact.parts = [.location(latitude: latitude, longitude: longitude, label: push["Label"])]
            if let scale = push["Scale"] { contact.routing.extra["scale"] = scale }
        case "link":
            guard let url = push["Url"] else { return unreadable(push, externalID: externalID, raw: raw, why: "link without Url") }
            contact.parts = [.link(LinkCard(url: url, title: push["Title"], description: push["Description"]))]
            contact.text = push["Description"]
        case "event":
            return event(push, contact: contact)
        default:
            return .record(
                RecordedContact(
                    channelID: channelID, channelKind: .wechat, externalID: externalID, occurredAt: occurredAt,
                    sender: contact.sender, summary: "WeChat \(push.msgType) message", reason: Self.unsupported,
                    detail: "MsgType \(push.msgType) is not turned into a message; the XML is kept as received", raw: raw))
        }
        return .contact(contact)
    }

    private func event(_ push: WeChatPush, contact: InboundContact) -> Submission {
        let name = push.event ?? ""
        let lowered = name.lowercased()
        var fields = push.fields
        for header in ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Event"] { fields[header] = nil }
        fields = fields.filter { !$0.value.isEmpty }
        // A QR-code follow names its scene as EventKey "qrscene_<scene>"; a SCAN names it bare.
        var scene: String?
        if lowered == "subscribe", let key = push["EventKey"], key.hasPrefix("qrscene_") { scene = String(key.dropFirst(8)) }
        if lowered == "scan" { scene = push["EventKey"] }
        if lowered != "unsubscribe", conversationEvents.contains(lowered) {
            var contact = contact
            contact.parts = [.event(name: name, fields: fields)]
            if lowered == "click" { contact.routing.keyword = push["EventKey"] }
            if let scene { contact.routing.extra["scene"] = scene }
            contact.routing.extra["event"] = name
            return .contact(contact)
        }
        var summary = name
        if let scene { summary += " (scene \(scene))" } else if let key = push["EventKey"] { summary += " \(key)" }
        let detail = fields.keys.sorted().map { "\($0)=\(fields[$0] ?? "")" }.joined(separator: " ")
        return .record(
            RecordedContact(
                channelID: channelID, channelKind: .wechat, externalID: contact.externalID, occurredAt: contact.occurredAt,
                sender: contact.sender, summary: summary.prefix(utf8Bytes: 1024), reason: .channelEvent,
                detail: ("WeChat event \(name)" + (detail.isEmpty ? "" : ": \(detail)")).prefix(utf8Bytes: 4000), raw: contact.raw))
    }

    /// A push that is authentic but cannot be a message: kept with its bytes, never dropped.
    private func unreadable(_ push: WeChatPush, externalID: String, raw: RawPayload, why: String) -> Submission {
        .record(
            RecordedContact(
                channelID: channelID, channelKind: .wechat, externalID: externalID,
                occurredAt: Date(timeIntervalSince1970: TimeInterval(push.createTime)), sender: handle(openID: push.fromUserName),
                summary: "WeChat \(push.msgType) message", reason: .unreadable, detail: why, raw: raw))
    }
}
