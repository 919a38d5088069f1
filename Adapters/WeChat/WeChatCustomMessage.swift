import SwitchboardCore

/// One customer-service message as `POST /cgi-bin/message/custom/send` takes it:
/// `{"touser": OPENID, "msgtype": "text", "text": {"content": …}}`, or `image`/`voice` with a
/// `media_id` from an upload, or `news` with one article (WeChat refuses more than one in a
/// customer-service message with errcode 45008, so each link card is its own message).
public struct WeChatCustomMessage: Encodable, Sendable, Hashable {
    public struct Text: Encodable, Sendable, Hashable {
        public var content: String
    }

    public struct Media: Encodable, Sendable, Hashable {
        public var mediaID: String
        enum CodingKeys: String, CodingKey { case mediaID = "media_id" }
    }

    public struct News: Encodable, Sendable, Hashable {
        public struct Article: Encodable, Sendable, Hashable {
            public var title: String?
            public var description: String?
            public var url: String
            public var picurl: String?
        }

        public var articles: [Article]
    }

    public var touser: String
    public var msgtype: String
    public var text: Text?
    public var image: Media?
    public var voice: Media?
    public var news: News?

    public static func text(to openID: String, _ content: String) -> WeChatCustomMessage {
        WeChatCustomMessage(touser: openID, msgtype: "text", text: Text(content: content))
    }

    public static func image(to openID: String, mediaID: String) -> WeChatCustomMessage {
        WeChatCustomMessage(touser: openID, msgtype: "image", image: Media(mediaID: mediaID))
    }

    public static func voice(to openID: String, mediaID: String) -> WeChatCustomMessage {
        WeChatCustomMessage(touser: openID, msgtype: "voice", voice: Media(mediaID: mediaID))
    }

    public static func news(to openID: String, _ card: LinkCard) -> WeChatCustomMessage {
        let article = News.Article(title: card.title, description: card.description, url: card.url, picurl: card.imageURL)
        return WeChatCustomMessage(touser: openID, msgtype: "news", news: News(articles: [article]))
    }
}
