import Foundation
import SwitchboardCore

/// The body of `POST /channels/{id}/messages`, as chat front-ends send it.
struct WebChatMessageBody: Decodable {
    struct Visitor: Decodable {
        var id: String
        var name: String?
        var email: String?
        var phone: String?
    }

    struct AttachmentBody: Decodable {
        var name: String?
        var contentType: String?
        var data: String
    }

    var id: String
    var visitor: Visitor
    var text: String?
    var attachments: [AttachmentBody]?
    var page: String?
    var referrer: String?
    var keyword: String?
    var vipLevel: Int?
    var attributes: [String: String]?
}

/// The body of `POST /channels/{id}/ratings`.
struct WebChatRatingBody: Decodable {
    struct Visitor: Decodable { var id: String }
    var id: String
    var visitor: Visitor
    var conversationId: String
    var score: Int
    var comment: String?
}

/// The `202`/`200` answer to a message post.
struct WebChatMessageAnswer: Encodable {
    var conversationId: String
    var messageId: String
    var duplicate: Bool

    /// The answer, serialized without an encoder on the hot path when the ids need no escaping
    /// (ids the store mints always qualify), else through `JSONEncoder`.
    var response: PushResponse {
        let status = duplicate ? 200 : 202
        let plain: (String) -> Bool = { $0.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C } }
        guard plain(conversationId), plain(messageId) else { return .json(status, self) }
        let body = #"{"conversationId":"\#(conversationId)","duplicate":\#(duplicate),"messageId":"\#(messageId)"}"#
        return PushResponse(status: status, headers: [(name: "content-type", value: "application/json")], body: Data(body.utf8))
    }
}

/// The `202`/`200` answer to a rating post.
struct WebChatRatingAnswer: Encodable {
    var ratingId: String
    var conversationId: String
    var duplicate: Bool
}

/// What we POST to a channel's `callbackURL` for each agent reply.
struct WebChatCallbackBody: Encodable {
    struct Visitor: Encodable { var id: String }
    struct AttachmentBody: Encodable {
        var name: String
        var contentType: String
        var size: Int
        var sha256: String
        var data: String
    }
    struct LinkBody: Encodable {
        var url: String
        var title: String?
        var description: String?
        var imageUrl: String?
    }

    var type = "message"
    var channelId: String
    var conversationId: String
    var conversationNumber: Int64
    var messageId: String
    var visitor: Visitor
    var author: String?
    var text: String?
    var html: String?
    var attachments: [AttachmentBody]
    var links: [LinkBody]
    var createdAt: Date
    var attempt: Int
}

