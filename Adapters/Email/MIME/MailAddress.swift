/// One mailbox from an address header: `"Wang, Fang (客服部)" <fang.wang@example.com>`.
public struct MailAddress: Sendable, Hashable, Codable {
    /// The addr-spec, lower-cased (mail handles compare case-insensitively in practice).
    public var address: String
    /// The decoded display name, `nil` when there is none.
    public var name: String?

    public init(address: String, name: String?) {
        self.address = address
        self.name = name
    }

    /// Every mailbox in an address-list header value (groups flattened, comments dropped,
    /// encoded words in display names decoded).
    public static func parseList(_ text: String) -> [MailAddress] {
        var addresses: [MailAddress] = []
        for item in splitTopLevel(text) {
            var entry = item
            // A group: "Team: a@x, b@y;" — its members were split already; drop the label.
            if let colon = topLevelIndex(of: ":", in: entry), !entry.contains("<") || colon < (entry.firstIndex(of: "<") ?? entry.endIndex) {
                entry = String(entry[entry.index(after: colon)...])
            }
            entry = entry.trimmingSpace()
            if entry.hasSuffix(";") { entry.removeLast() }
            if let parsed = parseMailbox(entry) { addresses.append(parsed) }
        }
        return addresses
    }

    static func parseMailbox(_ text: String) -> MailAddress? {
        let trimmed = text.trimmingSpace()
        guard !trimmed.isEmpty else { return nil }
        if let open = topLevelIndex(of: "<", in: trimmed), let close = trimmed[open...].firstIndex(of: ">") {
            let address = trimmed[trimmed.index(after: open)..<close].trimmingSpace()
            let rawName = String(trimmed[..<open]).trimmingSpace()
            return MailAddress(address: normalize(address), name: displayName(rawName))
        }
        // addr-spec, possibly with a (comment) holding the name.
        var address = ""
        var comment = ""
        var depth = 0
        for character in trimmed {
            if character == "(" {
                depth += 1
                if depth == 1 { continue }
            } else if character == ")" && depth > 0 {
                depth -= 1
                if depth == 0 { continue }
            }
            if depth > 0 { comment.append(character) } else { address.append(character) }
        }
        let spec = address.trimmingSpace()
        guard !spec.isEmpty else { return nil }
        return MailAddress(address: normalize(spec), name: displayName(comment))
    }

    static func normalize(_ address: String) -> String {
        var value = address
        if value.lowercased().hasPrefix("mailto:") { value.removeFirst(7) }
        return value.trimmingSpace().lowercased()
    }

    /// Quoted strings unquoted, encoded words decoded, whitespace collapsed; `nil` when empty.
    static func displayName(_ raw: String) -> String? {
        var text = ""
        var segment = ""
        var quoted = ""
        var inQuotes = false
        var escaped = false
        for character in raw {
            if inQuotes {
                if escaped {
                    quoted.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inQuotes = false
                    // Some mailers put encoded words inside the quotes.
                    text += EncodedWords.decode(quoted).text
                    quoted = ""
                } else {
                    quoted.append(character)
                }
                continue
            }
            if character == "\"" {
                text += EncodedWords.decode(segment).text
                segment = ""
                inQuotes = true
                continue
            }
            segment.append(character)
        }
        text += quoted + EncodedWords.decode(segment).text
        let collapsed = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        return collapsed.isEmpty ? nil : collapsed
    }

    /// Splits at commas outside quotes, angle brackets and comments.
    static func splitTopLevel(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        var angle = 0
        var comment = 0
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            switch character {
            case "\\" where quoted: escaped = true
            case "\"" where comment == 0: quoted.toggle()
            case "<" where !quoted && comment == 0: angle += 1
            case ">" where !quoted && comment == 0: angle = max(0, angle - 1)
            case "(" where !quoted: comment += 1
            case ")" where !quoted && comment > 0: comment -= 1
            case "," where !quoted && angle == 0 && comment == 0:
                items.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        items.append(current)
        return items
    }

    static func topLevelIndex(of target: Character, in text: String) -> String.Index? {
        var quoted = false
        var escaped = false
        var comment = 0
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if escaped {
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" && comment == 0 {
                quoted.toggle()
            } else if character == "(" && !quoted {
                comment += 1
            } else if character == ")" && !quoted && comment > 0 {
                comment -= 1
            } else if character == target && !quoted && comment == 0 {
                return index
            }
            index = text.index(after: index)
        }
        return nil
    }
}
