import Foundation
import SwitchboardCore
import SwitchboardWeChat
import SwitchboardXML
import Testing

@Suite("WeChat pushes into the model")
struct WeChatContactBuilderTests {
    let builder = WeChatContactBuilder(
        channelID: ChannelID(rawValue: "wx"), appID: "wxapp", conversationEvents: ["CLICK", "subscribe"])

    func submission(_ fields: String, builder: WeChatContactBuilder? = nil) throws -> WeChatContactBuilder.Submission {
        let xml = "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName>"
            + "<CreateTime>1772415008</CreateTime>\(fields)</xml>"
        let push = try WeChatPush(xml: try StrictXML.parse(Array(xml.utf8)))
        return (builder ?? self.builder).submission(for: push, xml: Array(xml.utf8))
    }

    func contact(_ fields: String) throws -> InboundContact {
        guard case .contact(let contact) = try submission(fields) else { throw WeChatPushError("not a contact") }
        try contact.validate()
        return contact
    }

    func record(_ fields: String, builder: WeChatContactBuilder? = nil) throws -> RecordedContact {
        guard case .record(let record) = try submission(fields, builder: builder) else { throw WeChatPushError("not a record") }
        try record.validate()
        return record
    }

    @Test func text() throws {
        let contact = try contact("<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content><MsgId>1234</MsgId>")
        #expect(contact.externalID == "1234")
        #expect(contact.sender == Handle(kind: "wechat-openid", value: "wxapp:oUser"))
        #expect(contact.recipient == "gh_1")
        #expect(contact.text == "你好")
        #expect(contact.occurredAt == Date(timeIntervalSince1970: 1_772_415_008))
        #expect(contact.channelKind == .wechat)
        #expect(contact.raw.contentType == "application/xml")
    }

    @Test("a UnionID becomes a second handle")
    func unionID() throws {
        let contact = try contact("<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>8</MsgId><UnionID><![CDATA[uX]]></UnionID>")
        #expect(contact.linkedHandles == [Handle(kind: "wechat-unionid", value: "uX")])
        let plain = try self.contact("<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>9</MsgId>")
        #expect(plain.linkedHandles.isEmpty)
    }

    @Test func image() throws {
        let contact = try contact(
            "<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.example/p]]></PicUrl><MediaId><![CDATA[m1]]></MediaId><MsgId>1</MsgId>")
        #expect(contact.parts == [.media(RemoteMedia(kind: "image", mediaID: "m1", url: "http://mmbiz.example/p"))])
    }

    @Test func voiceWithRecognition() throws {
        let contact = try contact(
            "<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[退款]]></Recognition><MsgId>2</MsgId>")
        #expect(contact.parts == [.media(RemoteMedia(kind: "voice", mediaID: "m2", format: "amr", recognition: "退款"))])
        #expect(contact.text == "退款")
    }

    @Test func videoAndShortVideo() throws {
        for type in ["video", "shortvideo"] {
            let contact = try contact(
                "<MsgType><![CDATA[\(type)]]></MsgType><MediaId><![CDATA[m3]]></MediaId><ThumbMediaId><![CDATA[t3]]></ThumbMediaId><MsgId>3</MsgId>")
            #expect(contact.parts == [.media(RemoteMedia(kind: type, mediaID: "m3", thumbnailMediaID: "t3"))])
        }
    }

    @Test func location() throws {
        let contact = try contact(
            "<MsgType><![CDATA[location]]></MsgType><Location_X>31.2304</Location_X><Location_Y>121.4737</Location_Y><Scale>15</Scale><Label><![CDATA[上海]]></Label><MsgId>4</MsgId>")
        #expect(contact.parts == [.location(latitude: 31.2304, longitude: 121.4737, label: "上海")])
        #expect(contact.routing.extra["scale"] == "15")
    }

    @Test func link() throws {
        let contact = try contact(
            "<MsgType><![CDATA[link]]></MsgType><Title><![CDATA[T]]></Title><Description><![CDATA[D]]></Description><Url><![CDATA[https://e.example/a]]></Url><MsgId>5</MsgId>")
        #expect(contact.parts == [.link(LinkCard(url: "https://e.example/a", title: "T", description: "D"))])
        #expect(contact.text == "D")
    }

    @Test("a location without coordinates is kept as unreadable, not dropped")
    func brokenLocation() throws {
        let record = try record("<MsgType><![CDATA[location]]></MsgType><Label><![CDATA[x]]></Label><MsgId>6</MsgId>")
        #expect(record.reason == .unreadable)
        #expect(record.externalID == "6")
    }

    @Test("an unknown message type is recorded")
    func unknownType() throws {
        let record = try record("<MsgType><![CDATA[miniprogrampage]]></MsgType><MsgId>7</MsgId>")
        #expect(record.reason == WeChatContactBuilder.unsupported)
    }

    @Test("a QR-code follow opens a conversation with its scene when subscribe is listed")
    func subscribeScan() throws {
        let contact = try contact("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_42]]></EventKey><Ticket><![CDATA[tk]]></Ticket>")
        #expect(contact.externalID == "event:oUser:1772415008:subscribe")
        #expect(contact.parts == [.event(name: "subscribe", fields: ["EventKey": "qrscene_42", "Ticket": "tk"])])
        #expect(contact.routing.extra["scene"] == "42")
    }

    @Test("a menu click opens a conversation keyed by its EventKey")
    func click() throws {
        let contact = try contact("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[HUMAN_AGENT]]></EventKey>")
        #expect(contact.routing.keyword == "HUMAN_AGENT")
    }

    @Test("unsubscribe is only ever recorded, whatever the configuration")
    func unsubscribe() throws {
        let everything = WeChatContactBuilder(
            channelID: ChannelID(rawValue: "wx"), appID: "wxapp", conversationEvents: ["subscribe", "SCAN", "CLICK", "unsubscribe"])
        let record = try record("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[unsubscribe]]></Event><EventKey><![CDATA[]]></EventKey>", builder: everything)
        #expect(record.reason == .channelEvent)
        #expect(record.sender == Handle(kind: "wechat-openid", value: "wxapp:oUser"))
        #expect(record.summary == "unsubscribe")
    }

    @Test("events not listed are recorded against the customer's handle")
    func recordedEvents() throws {
        let quiet = WeChatContactBuilder(channelID: ChannelID(rawValue: "wx"), appID: "wxapp", conversationEvents: [])
        for (event, extra) in [
            ("subscribe", ""), ("SCAN", "<EventKey><![CDATA[7]]></EventKey>"), ("CLICK", "<EventKey><![CDATA[K]]></EventKey>"),
            ("VIEW", "<EventKey><![CDATA[https://e.example]]></EventKey>"),
            ("LOCATION", "<Latitude>23.1</Latitude><Longitude>113.3</Longitude><Precision>119.3</Precision>"),
        ] {
            let record = try record("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[\(event)]]></Event>\(extra)", builder: quiet)
            #expect(record.reason == .channelEvent)
            #expect(record.externalID == "event:oUser:1772415008:\(event)")
            #expect(record.detail.hasPrefix("WeChat event \(event)"))
        }
    }

    @Test("the passive reply escapes a CDATA end inside the text")
    func passiveReply() throws {
        let reply = WeChatPassiveReply.text(to: "oUser", from: "gh_1", content: "a]]>b", createTime: 1)
        let parsed = try StrictXML.parse(Array(reply.utf8))
        #expect(parsed.childText("Content") == "a]]>b")
        #expect(parsed.childText("ToUserName") == "oUser")
    }
}
