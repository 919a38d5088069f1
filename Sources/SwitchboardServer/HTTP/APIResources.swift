import Foundation
import SwitchboardCore
import SwitchboardStore

/// The JSON shapes of the REST API. Field names are a stable contract (see `openapi.yaml`);
/// absent values are written as `null`, never omitted.
enum APIResources {
    struct ConversationResource: Encodable {
        var conversation: Conversation
        var messages: [Message]?

        enum Key: String, CodingKey {
            case id, number, status, channelId, channelKind, customerId, assignee, group, queueLevel, priority,
                createdAt, updatedAt, lastActivityAt, messages
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(conversation.id, forKey: .id)
            try container.encode(conversation.number, forKey: .number)
            try container.encode(conversation.status, forKey: .status)
            try container.encode(conversation.channelID, forKey: .channelId)
            try container.encode(conversation.channelKind, forKey: .channelKind)
            try container.encode(conversation.customerID, forKey: .customerId)
            try container.encode(conversation.assignee, forKey: .assignee)
            try container.encode(conversation.group, forKey: .group)
            try container.encode(conversation.queueLevel, forKey: .queueLevel)
            try container.encode(conversation.priority, forKey: .priority)
            try container.encode(conversation.createdAt, forKey: .createdAt)
            try container.encode(conversation.updatedAt, forKey: .updatedAt)
            try container.encode(conversation.lastActivityAt, forKey: .lastActivityAt)
            if let messages { try container.encode(messages.map(MessageResource.init), forKey: .messages) }
        }
    }

    struct MessageResource: Encodable {
        var message: Message

        enum Key: String, CodingKey {
            case id, externalId, direction, text, html, attachments, parts, author, createdAt, deliveryState, deliveryError
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(message.id, forKey: .id)
            try container.encode(message.externalID, forKey: .externalId)
            try container.encode(message.direction, forKey: .direction)
            try container.encode(message.text, forKey: .text)
            try container.encode(message.html, forKey: .html)
            try container.encode(message.attachments.map(AttachmentResource.init), forKey: .attachments)
            try container.encode(message.parts, forKey: .parts)
            try container.encode(message.author, forKey: .author)
            try container.encode(message.createdAt, forKey: .createdAt)
            try container.encode(message.deliveryState, forKey: .deliveryState)
            try container.encode(message.deliveryError, forKey: .deliveryError)
        }
    }

    struct AttachmentResource: Encodable {
        var attachment: Attachment

        enum Key: String, CodingKey { case name, contentType, size, sha256, contentId, url }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(attachment.name, forKey: .name)
            try container.encode(attachment.contentType, forKey: .contentType)
            try container.encode(attachment.size, forKey: .size)
            try container.encode(attachment.sha256, forKey: .sha256)
            try container.encode(attachment.contentID, forKey: .contentId)
            try container.encode("/api/v1/attachments/\(attachment.sha256)", forKey: .url)
        }
    }

    struct CustomerResource: Encodable {
        var detail: CustomerDetail

        enum Key: String, CodingKey {
            case id, name, handles, attributes, vipLevel, createdAt, updatedAt, conversations
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            let customer = detail.customer
            try container.encode(customer.id, forKey: .id)
            try container.encode(customer.name, forKey: .name)
            try container.encode(customer.handles, forKey: .handles)
            try container.encode(customer.attributes, forKey: .attributes)
            try container.encode(customer.vipLevel, forKey: .vipLevel)
            try container.encode(customer.createdAt, forKey: .createdAt)
            try container.encode(customer.updatedAt, forKey: .updatedAt)
            try container.encode(
                detail.conversations.map { ConversationResource(conversation: $0, messages: nil) }, forKey: .conversations)
        }
    }

    /// One page of any listing: `items` and the cursor of the next page (`null` at the end).
    struct Page<Item: Encodable>: Encodable {
        var items: [Item]
        var nextCursor: String?

        enum Key: String, CodingKey { case items, nextCursor }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(items, forKey: .items)
            try container.encode(nextCursor, forKey: .nextCursor)
        }
    }

    /// Body of `POST /conversations/{id}/messages`.
    struct ReplyRequest: Decodable {
        struct AttachmentBody: Decodable {
            var name: String
            var contentType: String?
            var data: String
        }

        var text: String?
        var html: String?
        var author: String?
        var attachments: [AttachmentBody]?
        var links: [ReplyLinks.Body]?
    }

    /// Body of `POST /customers/{id}/merge`.
    struct MergeRequest: Decodable {
        var customerId: String
    }
}
