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

    /// A new identifier: a time-ordered UUID (version 7: 48 bits of Unix milliseconds, then
    /// random bits). Ids minted later sort later, so database indexes on them grow at their
    /// right edge instead of rewriting random pages — a large saving in write volume per contact.
    public static func generate() -> Identifier<Tag> {
        Identifier(rawValue: timeOrderedUUID().uuidString.lowercased())
    }

    public var description: String { rawValue }
}

public typealias CustomerID = Identifier<Customer>
public typealias ConversationID = Identifier<Conversation>
public typealias MessageID = Identifier<Message>

/// A version 7 UUID (RFC 9562): Unix time in milliseconds in the first 48 bits, then random.
///
/// The random bits come from two calls of the system generator (`getrandom`); Foundation's
/// `UUID()` opens `/dev/urandom` on every call on Linux, which showed up in ingest profiles.
public func timeOrderedUUID(now: Date = Date()) -> UUID {
    let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
    var generator = SystemRandomNumberGenerator()
    let high = generator.next()
    let low = generator.next()
    func byte(_ value: UInt64, _ index: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: value >> (8 * index)) }
    return UUID(
        uuid: (
            byte(millis, 5), byte(millis, 4), byte(millis, 3), byte(millis, 2), byte(millis, 1), byte(millis, 0),
            0x70 | (byte(high, 0) & 0x0F), byte(high, 1),  // version 7
            0x80 | (byte(high, 2) & 0x3F), byte(high, 3),  // RFC 9562 variant
            byte(low, 0), byte(low, 1), byte(low, 2), byte(low, 3), byte(low, 4), byte(low, 5)
        ))
}
