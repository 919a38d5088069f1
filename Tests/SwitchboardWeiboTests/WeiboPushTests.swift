import Foundation
import SwitchboardCore
import SwitchboardWeibo
import Testing

@Suite("Weibo pushes")
struct WeiboPushTests {
    static let secret = "xyz123xyz"
    let endpoint = WeiboEndpoint(configuration: WeiboConfiguration(appKey: "12345", appSecret: WeiboPushTests.secret, timestampTolerance: 0))
    let builder = WeiboContactBuilder(channelID: ChannelID(rawValue: "wb"), conversationEvents: ["click"])

    static func signed(_ extra: [String: String] = [:], timestamp: String = "1397022061823", nonce: String = "57155157") -> [String: String] {
        var query = ["timestamp": timestamp, "nonce": nonce, "signature": SortedSHA1Signature.compute([secret, timestamp, nonce])]
        query.merge(extra) { _, new in new }
        return query
    }

    func push(_ json: String) throws -> WeiboPush {
        guard case .push(let push) = endpoint.decide(method: "POST", query: Self.signed(), body: Data(json.utf8), now: Date()) else {
            throw WeiboPushError("not a push")
        }
        return push
    }

    func submission(_ json: String) throws -> WeiboContactBuilder.Submission {
        builder.submission(for: try push(json), raw: Data(json.utf8))
    }

    @Test("the documented signature example")
    func documentedSignature() {
        #expect(SortedSHA1Signature.compute(["xyz123xyz", "1397022061823", "57155157"]) == "90e4c22c90a58f26526c2dd5b6c56c8822edeaa1")
        guard case .verified(let echo) = endpoint.decide(
            method: "GET", query: Self.signed(["echostr": "abc 123"]), body: Data(), now: Date())
        else {
            Issue.record("URL verification must pass")
            return
        }
        #expect(echo == "abc 123")
    }

    @Test("a wrong or missing signature is refused and nothing echoed", arguments: [
        ["timestamp": "1397022061823", "nonce": "57155157", "signature": "90e4c22c90a58f26526c2dd5b6c56c8822edeaa0", "echostr": "e"],
        ["timestamp": "1397022061823", "nonce": "57155157", "echostr": "e"],
        ["nonce": "57155157", "signature": "90e4c22c90a58f26526c2dd5b6c56c8822edeaa1", "echostr": "e"],
    ])
    func badSignature(_ query: [String: String]) {
        guard case .rejected("bad_signature", 401, _) = endpoint.decide(method: "GET", query: query, body: Data(), now: Date()) else {
            Issue.record("expected bad_signature")
            return
        }
    }

    @Test("the timestamp window takes milliseconds and seconds")
    func timestampWindow() {
        let strict = WeiboEndpoint(configuration: WeiboConfiguration(appKey: "12345", appSecret: Self.secret))
        let sent = Date(timeIntervalSince1970: 1_397_022_061.823)
        for (query, now, ok) in [
            (Self.signed(["echostr": "e"]), sent.addingTimeInterval(299), true),
            (Self.signed(["echostr": "e"]), sent.addingTimeInterval(-301), false),
            (Self.signed(["echostr": "e"], timestamp: "1397022061"), sent.addingTimeInterval(200), true),
            (Self.signed(["echostr": "e"], timestamp: "1397022061"), sent.addingTimeInterval(400), false),
        ] {
            let decision = strict.decide(method: "GET", query: query, body: Data(), now: now)
            if case .verified = decision { #expect(ok) } else { #expect(!ok) }
        }
    }

    @Test("a text message, with 64-bit ids read exactly and the time zone applied")
    func text() throws {
        guard case .contact(let contact) = try submission(
            #"{"type":"text","receiver_id":1902538057,"sender_id":9007199254740993,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"我要退货","data":{}}"#)
        else { throw WeiboPushError("not a contact") }
        try contact.validate()
        #expect(contact.sender == Handle(kind: "weibo-uid", value: "9007199254740993"))
        #expect(contact.recipient == "1902538057")
        #expect(contact.text == "我要退货")
        #expect(contact.occurredAt == Date(timeIntervalSince1970: 1_342_433_360))  // 2012-07-16 10:09:20 UTC
        #expect(contact.channelKind == .weibo)
    }

    @Test("ids sent as strings are read too; an id past 64 bits is refused")
    func stringIDs() throws {
        let push = try push(#"{"type":"text","receiver_id":"1902538057","sender_id":"1234567890123456789","created_at":"Tue Jan 06 00:00:01 -0500 2026","text":"x"}"#)
        #expect(push.senderID == 1_234_567_890_123_456_789)
        #expect(push.createdAt == Date(timeIntervalSince1970: 1_767_675_601))
        let decision = endpoint.decide(
            method: "POST", query: Self.signed(),
            body: Data(#"{"type":"text","receiver_id":1,"sender_id":92233720368547758070,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"x"}"#.utf8),
            now: Date())
        guard case .rejected("malformed", 400, _) = decision else {
            Issue.record("an id that is not a 64-bit integer must be refused, never rounded")
            return
        }
    }

    @Test func position() throws {
        guard case .contact(let contact) = try submission(
            #"{"type":"position","receiver_id":1,"sender_id":2,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"发送了一个位置","data":{"longitude":"116.308586","latitude":"39.982525"}}"#)
        else { throw WeiboPushError("not a contact") }
        #expect(contact.parts == [.location(latitude: 39.982525, longitude: 116.308586, label: "发送了一个位置")])
    }

    @Test func voiceAndImage() throws {
        for type in ["voice", "image"] {
            guard case .contact(let contact) = try submission(
                #"{"type":"\#(type)","receiver_id":1,"sender_id":2,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"发了一个","data":{"vfid":821804459,"tovfid":821804469}}"#)
            else { throw WeiboPushError("not a contact") }
            #expect(contact.parts == [.media(RemoteMedia(kind: type, mediaID: "821804469"))])
            try contact.validate()
        }
    }

    @Test func mention() throws {
        guard case .contact(let contact) = try submission(
            #"{"type":"mention","receiver_id":1,"sender_id":2,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"@客服 我的订单呢","data":{"subtype":"status","key":"3696254286421321"}}"#)
        else { throw WeiboPushError("not a contact") }
        #expect(contact.text == "@客服 我的订单呢")
        #expect(contact.parts == [.event(name: "mention", fields: ["subtype": "status", "key": "3696254286421321"])])
    }

    @Test("events are recorded unless listed; unsubscribe and unfollow always are")
    func events() throws {
        for subtype in ["subscribe", "unsubscribe", "follow", "unfollow", "scan", "scan_follow", "view"] {
            guard case .record(let record) = try submission(
                #"{"type":"event","receiver_id":1,"sender_id":2,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"事件消息","data":{"subtype":"\#(subtype)","key":"K"}}"#)
            else { throw WeiboPushError("\(subtype) must be recorded") }
            #expect(record.reason == .channelEvent)
            #expect(record.sender == Handle(kind: "weibo-uid", value: "2"))
            try record.validate()
        }
        guard case .contact(let click) = try submission(
            #"{"type":"event","receiver_id":1,"sender_id":2,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"事件消息","data":{"subtype":"click","key":"HUMAN"}}"#)
        else { throw WeiboPushError("a listed click opens a conversation") }
        #expect(click.routing.keyword == "HUMAN")
    }

    @Test("an unknown type is recorded, not refused; odd data shapes still read")
    func unknownType() throws {
        guard case .record(let record) = try submission(
            #"{"type":"sticker","receiver_id":1,"sender_id":2,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"","data":{"nested":{"b":1,"a":[true,null]},"n":1.5}}"#)
        else { throw WeiboPushError("not a record") }
        #expect(record.reason == WeiboContactBuilder.unsupported)
        let empty = try push(#"{"type":"text","receiver_id":1,"sender_id":2,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"hi","data":[]}"#)
        #expect(empty.data.isEmpty)
        let nested = try push(#"{"type":"x","receiver_id":1,"sender_id":2,"created_at":"Mon Jul 16 18:09:20 +0800 2012","data":{"o":{"b":1,"a":"é"}}}"#)
        #expect(nested.data["o"] == #"{"a":"é","b":1}"#)
    }

    @Test("the same push has the same id; another text or data a different one")
    func dedupeKey() throws {
        let base = #"{"type":"text","receiver_id":1,"sender_id":2,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"A","data":{"k":"v","j":1}}"#
        let reordered = #"{"data":{"j":1,"k":"v"},"text":"A","created_at":"Mon Jul 16 18:09:20 +0800 2012","sender_id":2,"receiver_id":1,"type":"text"}"#
        let otherText = base.replacingOccurrences(of: #""text":"A""#, with: #""text":"B""#)
        let otherData = base.replacingOccurrences(of: #""k":"v""#, with: #""k":"w""#)
        let id = WeiboContactBuilder.externalID(of: try push(base))
        #expect(WeiboContactBuilder.externalID(of: try push(reordered)) == id)
        #expect(WeiboContactBuilder.externalID(of: try push(otherText)) != id)
        #expect(WeiboContactBuilder.externalID(of: try push(otherData)) != id)
        #expect(id.hasPrefix("2:1342433360:text:"))
    }

    @Test("malformed pushes are refused with the field named", arguments: [
        "", "{", "null", "[]", #"{"type":"text"}"#,
        #"{"type":"text","receiver_id":1,"sender_id":2,"created_at":"yesterday","text":"x"}"#,
        #"{"type":"text","receiver_id":1,"sender_id":-2,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"x"}"#,
        #"{"type":"text","receiver_id":1,"sender_id":2.5,"created_at":"Mon Jul 16 18:09:20 +0800 2012","text":"x"}"#,
        #"{"type":"","receiver_id":1,"sender_id":2,"created_at":"Mon Jul 16 18:09:20 +0800 2012"}"#,
        #"{"type":"text","receiver_id":1,"sender_id":2,"created_at":"Mon Feb 30 18:09:20 +0800 2012"}"#,
    ])
    func malformed(_ body: String) {
        guard case .rejected("malformed", 400, let message) = endpoint.decide(method: "POST", query: Self.signed(), body: Data(body.utf8), now: Date()) else {
            Issue.record("expected malformed for \(body)")
            return
        }
        #expect(!message.isEmpty)
    }
}
