import Foundation
import SwitchboardXML

/// One push from WeChat, read from its (decrypted) XML: the common header plus every field as
/// sent.
///
/// Field values are the element texts exactly as WeChat wrote them (CDATA literally). Nested
/// elements (`ScanCodeInfo`, `SendPicsInfo`) are flattened to dotted names
/// (`ScanCodeInfo.ScanResult`), repeated ones numbered (`SendPicsInfo.PicList.item[1].PicMd5Sum`).
public struct WeChatPush: Sendable, Hashable {
    /// The official account (`gh_…`).
    public var toUserName: String
    /// The customer's OpenID for this account.
    public var fromUserName: String
    /// Unix seconds, as WeChat stamped it.
    public var createTime: Int64
    /// `text`, `image`, `voice`, `video`, `shortvideo`, `location`, `link`, `event`, …
    public var msgType: String
    /// WeChat's message id (messages only; events have none).
    public var msgID: String?
    /// The event name for `MsgType` `event` (`subscribe`, `CLICK`, …), as sent.
    public var event: String?
    public var fields: [String: String]

    /// Reads a push, naming the first missing or malformed header field.
    public init(xml root: XMLElement) throws(WeChatPushError) {
        guard root.name == "xml" else { throw WeChatPushError("root element is <\(root.name)>, expected <xml>") }
        var fields: [String: String] = [:]
        Self.flatten(root, prefix: "", into: &fields)
        func required(_ name: String) throws(WeChatPushError) -> String {
            guard let value = fields[name], !value.isEmpty else { throw WeChatPushError("\(name) is missing") }
            return value
        }
        toUserName = try required("ToUserName")
        fromUserName = try required("FromUserName")
        let time = try required("CreateTime")
        guard let seconds = Int64(time), seconds >= 0 else { throw WeChatPushError("CreateTime '\(time)' is not unix seconds") }
        createTime = seconds
        msgType = try required("MsgType")
        msgID = fields["MsgId"].flatMap { $0.isEmpty ? nil : $0 }
        event = msgType == "event" ? try required("Event") : nil
        self.fields = fields
    }

    /// The value of `name`, `nil` when absent or empty.
    public subscript(_ name: String) -> String? {
        fields[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    private static func flatten(_ element: XMLElement, prefix: String, into fields: inout [String: String]) {
        var seen: [String: Int] = [:]
        let counts = Dictionary(element.children.map { ($0.name, 1) }, uniquingKeysWith: +)
        for child in element.children {
            var name = prefix + child.name
            if (counts[child.name] ?? 0) > 1 {
                let index = seen[child.name, default: 0]
                seen[child.name] = index + 1
                name += "[\(index)]"
            }
            if child.children.isEmpty {
                if fields[name] == nil { fields[name] = child.text }
            } else {
                flatten(child, prefix: name + ".", into: &fields)
            }
        }
    }
}

/// A push whose XML is well-formed but is not a WeChat push (a required field is missing).
public struct WeChatPushError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
