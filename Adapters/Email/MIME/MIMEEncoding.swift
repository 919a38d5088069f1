import Foundation

/// The encoders a mail writer needs (RFC 2045 quoted-printable and base64, RFC 2047 encoded
/// words, RFC 2231 parameters, RFC 5322 dates), so composed mail is 7-bit clean and survives
/// any relay, whatever the text's script.
public enum MIMEEncoding {
    /// Quoted-printable of `text`'s UTF-8 with CRLF line ends and soft breaks before column 76.
    public static func quotedPrintable(_ text: String) -> String {
        var output = ""
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            var column = 0
            let bytes = Array(line.utf8)
            for (position, byte) in bytes.enumerated() {
                let isLast = position == bytes.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == 32 || byte == 9) && !isLast)
                let piece = literal ? String(UnicodeScalar(byte)) : String(format: "=%02X", byte)
                if column + piece.count > 75 {
                    output += "=\r\n"
                    column = 0
                }
                output += piece
                column += piece.count
            }
            if index < lines.count - 1 { output += "\r\n" }
        }
        return output
    }

    /// Base64 in lines of 76 characters, CRLF-separated.
    public static func base64Lines(_ data: Data) -> String {
        data.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    /// `text` as a header value: unchanged when printable ASCII, else RFC 2047 `B` encoded words
    /// of at most 75 characters, split on character boundaries and folded onto new lines.
    public static func encodedWords(_ text: String) -> String {
        let clean = text.map { $0.isNewline ? " " : $0 }
        let plain = String(clean)
        if plain.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value < 127 }) { return plain }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in plain {
            let bytes = Array(String(character).utf8)
            // 45 bytes → 60 base64 characters + 12 for "=?UTF-8?B?" and "?=" = 72.
            if chunk.count + bytes.count > 45 {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    private static func word(_ bytes: [UInt8]) -> String { "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?=" }

    /// `"Name" <address>` (or the bare address), the name quoted or encoded as it needs.
    public static func mailbox(name: String?, address: String) -> String {
        guard let name, !name.isEmpty else { return "<\(address)>" }
        let encoded = encodedWords(name)
        if encoded != name { return "\(encoded) <\(address)>" }
        let atext = name.allSatisfy { $0.isLetter || $0.isNumber || $0 == " " || "!#$%&'*+-/=?^_`{|}~".contains($0) }
        if atext { return "\(name) <\(address)>" }
        let quoted = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(quoted)\" <\(address)>"
    }

    /// `name="value"` for printable ASCII, else the RFC 2231 form `name*=utf-8''%XX…`.
    public static func parameter(_ name: String, _ value: String) -> String {
        let printable = value.unicodeScalars.allSatisfy { $0.value >= 32 && $0.value < 127 }
        if printable {
            let quoted = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\(name)=\"\(quoted)\""
        }
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~".utf8)
        let encoded = value.utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
        return "\(name)*=utf-8''\(encoded)"
    }

    /// An RFC 5322 date in UTC (`Mon, 23 Nov 2026 10:00:00 +0000`).
    public static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// A header line folded at spaces so no line passes 78 characters where it can be helped.
    public static func header(_ name: String, _ value: String) -> String {
        var lines: [String] = []
        var current = name + ":"
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if current.count + 1 + word.count > 78, current.count > name.count + 1 {
                lines.append(current)
                current = " " + word
            } else {
                current += " " + word
            }
        }
        lines.append(current)
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
