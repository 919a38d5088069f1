/// How one person is reached on one channel: a kind plus a normalized value.
///
/// Identity resolution links handles to customers by exact match only, so the value must be
/// normalized the same way by every adapter: use the factory methods (``email(_:)``,
/// ``phone(_:)``, ``webchatVisitor(channel:visitorID:)``) rather than building values by hand.
public struct Handle: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The namespace of a handle value (`email`, `phone`, `webchat`, `wechat-openid`, …).
    public var kind: String
    /// The normalized value, unique within its kind.
    public var value: String

    public init(kind: String, value: String) {
        self.kind = kind
        self.value = value
    }

    public var description: String { "\(kind):\(value)" }

    /// An email address handle, lower-cased and trimmed.
    public static func email(_ address: String) throws(ValidationError) -> Handle {
        let normalized = address.trimmingASCIIWhitespace().lowercased()
        let parts = normalized.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, normalized.utf8.count <= 320,
            !normalized.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true })
        else {
            throw ValidationError(field: "email", reason: "is not an email address")
        }
        return Handle(kind: "email", value: normalized)
    }

    /// A phone number handle in E.164 form (`+8613800138000`). Spaces, dashes, dots and
    /// parentheses are removed; a leading `00` becomes `+`. Numbers without a country code are
    /// refused rather than guessed.
    public static func phone(_ number: String) throws(ValidationError) -> Handle {
        var digits = ""
        var sawPlus = false
        for (index, character) in number.trimmingASCIIWhitespace().enumerated() {
            switch character {
            case "+" where index == 0: sawPlus = true
            case "0"..."9": digits.append(character)
            case " ", "-", ".", "(", ")": continue
            default: throw ValidationError(field: "phone", reason: "contains '\(character)'; expected an E.164 number")
            }
        }
        if !sawPlus, digits.hasPrefix("00") {
            digits.removeFirst(2)
            sawPlus = true
        }
        guard sawPlus, (8...15).contains(digits.count), digits.first != "0" else {
            throw ValidationError(field: "phone", reason: "must be an E.164 number with country code, e.g. +8613800138000")
        }
        return Handle(kind: "phone", value: "+" + digits)
    }

    /// A web chat visitor handle. Visitor ids are chosen by each site's front-end, so the value is
    /// scoped by the channel: the same visitor id on two sites is two different people.
    public static func webchatVisitor(channel: ChannelID, visitorID: String) -> Handle {
        Handle(kind: "webchat", value: "\(channel.rawValue)/\(visitorID)")
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces, tabs, CR and LF.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
