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
        Identifier(rawValue: timeOrderedID())
    }

    public var description: String { rawValue }
}

public typealias CustomerID = Identifier<Customer>
public typealias ConversationID = Identifier<Conversation>
public typealias MessageID = Identifier<Message>

/// A version 7 UUID (RFC 9562): Unix time in milliseconds in the first 48 bits, then the next
/// 12 bits of the time (sub-millisecond precision, RFC 9562 §6.2 method 3), then 62 random bits.
///
/// The random bits come from one call of the system generator (`getrandom`); Foundation's
/// `UUID()` opens `/dev/urandom` on every call on Linux, which showed up in ingest profiles.
public func timeOrderedUUID(now: Date = Date()) -> UUID {
    let seconds = max(0, now.timeIntervalSince1970)
    let millis = UInt64(seconds * 1000)
    // The fraction of the millisecond in 1/4096ths: ids minted in the same millisecond still mostly sort in order.
    let fraction = UInt64(max(0, min(4095, (seconds * 1000 - Double(millis)) * 4096)))
    var generator = SystemRandomNumberGenerator()
    let random = generator.next()
    func byte(_ value: UInt64, _ index: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: value >> (8 * index)) }
    return UUID(
        uuid: (
            byte(millis, 5), byte(millis, 4), byte(millis, 3), byte(millis, 2), byte(millis, 1), byte(millis, 0),
            0x70 | byte(fraction, 1), byte(fraction, 0),  // version 7, sub-millisecond time
            0x80 | (byte(random, 7) & 0x3F), byte(random, 6),  // RFC 9562 variant
            byte(random, 5), byte(random, 4), byte(random, 3), byte(random, 2), byte(random, 1), byte(random, 0)
        ))
}

/// ``timeOrderedUUID(now:)`` as lower-case text (`01a23241-1562-7451-b0c2-148aa4975266`), the form
/// every id Switchboard mints takes, written in one allocation.
public func timeOrderedID(now: Date = Date()) -> String {
    let uuid = timeOrderedUUID(now: now).uuid
    return withUnsafeBytes(of: uuid) { bytes in
        String(unsafeUninitializedCapacity: 36) { text in
            let digits: StaticString = "0123456789abcdef"
            var position = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    text[position] = UInt8(ascii: "-")
                    position += 1
                }
                text[position] = digits.utf8Start[Int(byte >> 4)]
                text[position + 1] = digits.utf8Start[Int(byte & 0x0F)]
                position += 2
            }
            return position
        }
    }
}
