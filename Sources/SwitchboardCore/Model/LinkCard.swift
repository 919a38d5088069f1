import Foundation

/// A link with what a customer sees of it before opening it: a title, a short description and a
/// picture.
///
/// One type serves both directions: a link a customer shared (a WeChat `link` message) and a
/// card an agent sends, which each channel renders its own way (a WeChat `news` message, a
/// Weibo `articles` card, a callback field for web chat, a paragraph in an email).
public struct LinkCard: Sendable, Hashable, Codable {
    /// The address the card opens (absolute `http` or `https` when an agent sends it).
    public var url: String
    public var title: String?
    public var description: String?
    /// A picture for the card (WeChat `picurl`, Weibo `image`).
    public var imageURL: String?

    public init(url: String, title: String? = nil, description: String? = nil, imageURL: String? = nil) {
        self.url = url
        self.title = title
        self.description = description
        self.imageURL = imageURL
    }
}

extension Array where Element == MessagePart {
    /// The link parts' cards, in order.
    public var linkCards: [LinkCard] {
        compactMap { part in
            if case .link(let card) = part { return card }
            return nil
        }
    }
}
