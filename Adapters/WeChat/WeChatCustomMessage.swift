/// One customer-service message as `POST /cgi-bin/message/custom/send` takes it:
/// `{"touser": OPENID, "msgtype": "text", "text": {"content": …}}`, or `image`/`voice` with a
/// `media_id` from an upload.
public struct WeChatCustomMessage: Encodable, Sendable, Hashable {
    public struct Text: Encodable, Sendable, Hashable {
        public var content: String
    }

    public struct Media: Encodable, Sendable, Hashable {
        public var mediaID: String
        enum CodingKeys: String, CodingKey { case mediaID = "media_id" }
    }

    public var touser: String
    public var msgtype: String
    public var text: Text?
    public var image: Media?
    public var voice: Media?

    public static func text(to openID: String, _ content: String) -> WeChatCustomMessage {
        WeChatCustomMessage(touser: openID, msgtype: "text", text: Text(content: content))
    }

    public static func image(to openID: String, mediaID: String) -> WeChatCustomMessage {
        WeChatCustomMessage(touser: openID, msgtype: "image", image: Media(mediaID: mediaID))
    }

    public static func voice(to openID: String, mediaID: String) -> WeChatCustomMessage {
        WeChatCustomMessage(touser: openID, msgtype: "voice", voice: Media(mediaID: mediaID))
    }
}
