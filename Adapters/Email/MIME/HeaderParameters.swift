/// A structured header value with parameters: `Content-Type: text/plain; charset="gbk"` or
/// `Content-Disposition: attachment; filename*=utf-8''%E6%8A%A5%E4%BB%B7.pdf`.
///
/// Parameters follow RFC 2045 and RFC 2231: quoted strings, `name*=charset'lang'%XX` values,
/// and `name*0*=` / `name*1=` continuations joined in order. Names are lower-cased. Values that
/// mailers wrap in RFC 2047 encoded words (Outlook's `name="=?utf-8?B?...?="`) are decoded too.
public struct HeaderParameters: Sendable, Hashable {
    /// The part before the first `;`, lower-cased and trimmed (`text/plain`, `attachment`).
    public var value: String
    public var parameters: [String: String]

    public subscript(_ name: String) -> String? { parameters[name.lowercased()] }

    public init(value: String, parameters: [String: String] = [:]) {
        self.value = value
        self.parameters = parameters
    }

    public init(parsing raw: [UInt8]) {
        let text = MIMEHeaders.decodeRaw(raw)
        let pieces = Self.splitParameters(text)
        value = (pieces.first ?? "").trimmingSpace().lowercased()
        // name → (charset, [(section, value, encoded)])
        var plain: [String: String] = [:]
        var extended: [String: (charset: String?, sections: [(Int, String, Bool)])] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            var name = piece[..<equals].trimmingSpace().lowercased()
            var raw = piece[piece.index(after: equals)...].trimmingSpace()
            if raw.hasPrefix("\"") { raw = Self.unquote(raw) }
            guard !name.isEmpty else { continue }
            let encoded = name.hasSuffix("*")
            if encoded { name.removeLast() }
            var section = -1
            if let star = name.lastIndex(of: "*"), let number = Int(name[name.index(after: star)...]) {
                section = number
                name = String(name[..<star])
            }
            if section < 0 && !encoded {
                plain[name] = raw
                continue
            }
            var entry = extended[name] ?? (nil, [])
            var valuePart = raw
            if encoded && (section <= 0) {
                // charset'language'value
                let parts = raw.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                if parts.count == 3 {
                    entry.charset = String(parts[0])
                    valuePart = String(parts[2])
                }
            }
            entry.sections.append((max(section, 0), valuePart, encoded))
            extended[name] = entry
        }
        var result: [String: String] = [:]
        for (name, value) in plain {
            result[name] = value.contains("=?") ? EncodedWords.decode(value).text : value
        }
        for (name, entry) in extended {
            var bytes: [UInt8] = []
            for (_, text, encoded) in entry.sections.sorted(by: { $0.0 < $1.0 }) {
                bytes += encoded ? Self.percentDecode(text) : Array(text.utf8)
            }
            // An RFC 2231 value wins over a plain one of the same name.
            result[name] = Charset.decode(bytes, label: entry.charset ?? "utf-8").text
        }
        parameters = result
    }

    /// Splits at `;` outside quoted strings.
    static func splitParameters(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            if character == "\\" && quoted {
                current.append(character)
                escaped = true
                continue
            }
            if character == "\"" { quoted.toggle() }
            if character == ";" && !quoted {
                pieces.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        pieces.append(current)
        return pieces
    }

    static func unquote(_ text: String) -> String {
        var result = ""
        var escaped = false
        for character in text.dropFirst() {
            if escaped {
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                break
            } else {
                result.append(character)
            }
        }
        return result
    }

    static func percentDecode(_ text: String) -> [UInt8] {
        let source = Array(text.utf8)
        var bytes: [UInt8] = []
        var index = 0
        while index < source.count {
            if source[index] == 0x25, index + 2 < source.count, let value = EncodedWords.hexPair(source[index + 1], source[index + 2]) {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return bytes
    }
}
