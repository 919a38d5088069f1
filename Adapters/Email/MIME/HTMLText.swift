/// Readable text from an HTML body, for mail that has no plain-text part: tags removed, block
/// elements and `<br>` as line breaks, `<script>`/`<style>`/`<head>` contents dropped, character
/// references decoded, runs of blank space collapsed.
public enum HTMLText {
    static let blockTags: Set<String> = [
        "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre",
        "hr", "section", "article", "header", "footer", "td", "th",
    ]
    static let droppedTags: Set<String> = ["script", "style", "head", "title"]
    static let entities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "copy": "©", "reg": "®",
        "mdash": "—", "ndash": "–", "hellip": "…", "yen": "¥", "euro": "€", "pound": "£", "laquo": "«", "raquo": "»",
        "ldquo": "“", "rdquo": "”", "lsquo": "‘", "rsquo": "’", "middot": "·", "times": "×",
    ]

    public static func text(fromHTML html: String) -> String {
        var output = ""
        var index = html.startIndex
        var dropping: String?
        while index < html.endIndex {
            let character = html[index]
            if character == "<" {
                guard let close = html[index...].firstIndex(of: ">") else { break }
                let inside = html[html.index(after: index)..<close]
                if inside.hasPrefix("!--") {
                    // A comment: skip to "-->".
                    if let end = html[index...].range(of: "-->") {
                        index = end.upperBound
                        continue
                    }
                    break
                }
                let closing = inside.hasPrefix("/")
                let name = inside.drop(while: { $0 == "/" }).prefix(while: { $0.isLetter || $0.isNumber }).lowercased()
                if let dropped = dropping {
                    if closing && name == dropped { dropping = nil }
                } else if droppedTags.contains(name) && !closing && !inside.hasSuffix("/") {
                    dropping = name
                } else if blockTags.contains(name) {
                    output.append("\n")
                }
                index = html.index(after: close)
                continue
            }
            if dropping != nil {
                index = html.index(after: index)
                continue
            }
            if character == "&", let semicolon = html[index...].prefix(12).firstIndex(of: ";") {
                let name = String(html[html.index(after: index)..<semicolon])
                if let decoded = decodeEntity(name) {
                    output += decoded
                    index = html.index(after: semicolon)
                    continue
                }
            }
            output.append(character)
            index = html.index(after: index)
        }
        return collapse(output)
    }

    static func decodeEntity(_ name: String) -> String? {
        if name.hasPrefix("#x") || name.hasPrefix("#X") {
            return UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
        if name.hasPrefix("#") {
            return UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
        return entities[name.lowercased()]
    }

    /// Spaces and tabs collapsed within lines, blank lines collapsed to one, ends trimmed.
    static func collapse(_ text: String) -> String {
        var lines: [String] = []
        // "\r\n" is one Character in Swift: split on Unicode scalars, not Characters.
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{00A0}" })
            let joined = words.joined(separator: " ")
            if joined.isEmpty && (lines.last?.isEmpty ?? true) { continue }
            lines.append(joined)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
