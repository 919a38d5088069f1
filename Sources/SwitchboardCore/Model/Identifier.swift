import Foundation

/// A typed, string-backed identifier (`CustomerID`, `ConversationID`, `MessageID`).
///
/// The tag keeps a conversation id from being passed where a customer id is expected; the value
/// is an opaque string (a lower-case UUID for ids we mint) so a storage backend can keep it as
/// text.
public struct Identifier<Tag>: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// A new random identifier.
    public static func generate() -> Identifier<Tag> {
        Identifier(rawValue: UUID().uuidString.lowercased())
    }

    public var description: String { rawValue }
}

public typealias CustomerID = Identifier<Customer>
public typealias ConversationID = Identifier<Conversation>
public typealias MessageID = Identifier<Message>
