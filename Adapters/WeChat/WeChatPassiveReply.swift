/// The XML of a passive reply: what the HTTP answer to a push may carry instead of `success`.
public enum WeChatPassiveReply {
    /// Letters and digits, for the 16-byte random prefix of an encrypted reply.
    static let randomAlphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)

    /// A text reply to `openID` from the account `account`.
    public static func text(to openID: String, from account: String, content: String, createTime: Int64) -> String {
        "<xml><ToUserName>\(cdata(openID))</ToUserName><FromUserName>\(cdata(account))</FromUserName>"
            + "<CreateTime>\(createTime)</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>\(cdata(content))</Content></xml>"
    }

    /// `text` as CDATA; a `]]>` inside is split across two sections.
    public static func cdata(_ text: String) -> String {
        "<![CDATA[" + text.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>") + "]]>"
    }
}
