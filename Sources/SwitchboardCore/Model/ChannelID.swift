/// One configured channel instance (`support-mailbox`, `web`, `wechat-main`).
///
/// Channel ids appear in URLs (`/channels/{id}/messages`), metric dimensions and log metadata, so
/// they are restricted to a URL- and label-safe alphabet: lower-case ASCII letters, digits, `-`
/// and `_`, starting with a letter or digit, at most 64 characters.
public struct ChannelID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String

    /// Creates an id without validation; use ``init(validating:)`` for input from outside.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Creates an id from untrusted text, rejecting anything outside the allowed alphabet.
    public init(validating text: String) throws(ValidationError) {
        guard Self.isValid(text) else {
            throw ValidationError(
                field: "channelId",
                reason: "must be 1-64 characters of a-z, 0-9, '-' or '_', starting with a letter or digit")
        }
        self.rawValue = text
    }

    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        for (index, byte) in bytes.enumerated() {
            let isAlnum = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            if index == 0 { guard isAlnum else { return false } }
            guard isAlnum || byte == 0x2D || byte == 0x5F else { return false }
        }
        return true
    }

    public var description: String { rawValue }
    public static func < (lhs: ChannelID, rhs: ChannelID) -> Bool { lhs.rawValue < rhs.rawValue }
}
