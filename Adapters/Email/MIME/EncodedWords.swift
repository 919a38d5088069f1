import Foundation

/// RFC 2047 encoded words (`=?utf-8?B?5L2g5aW9?=`) in header text.
///
/// Whitespace between adjacent encoded words is dropped; adjacent words in the same charset are
/// joined as bytes before decoding, so a multibyte character split across two words (as some
/// mailers do) comes out whole. A malformed word is kept as written.
public enum EncodedWords {
    public static func decode(_ text: String) -> (text: String, problem: String?) {
        guard text.contains("=?") else { return (text, nil) }
        var output = ""
        var problem: String?
        // Pending bytes of adjacent words in one charset, and whitespace seen since the last word.
        var pending: (charset: String, bytes: [UInt8])?
        var gap = ""
        func flush() {
            if let run = pending {
                let decoded = Charset.decode(run.bytes, label: run.charset)
                output += decoded.text
                if let issue = decoded.problem { problem = issue }
            }
            pending = nil
        }
        var rest = Substring(text)
        while !rest.isEmpty {
            if rest.hasPrefix("=?"), let word = parseWord(rest) {
                gap = ""  // whitespace between encoded words is dropped
                if let run = pending, run.charset.lowercased() == word.charset.lowercased() {
                    pending?.bytes += word.bytes
                } else {
                    flush()
                    pending = (word.charset, word.bytes)
                }
                rest = rest[word.end...]
                continue
            }
            let character = rest.removeFirst()
            if character == " " || character == "\t" {
                if pending != nil {
                    gap.append(character)
                } else {
                    output.append(character)
                }
                continue
            }
            if pending != nil {
                flush()
                output += gap
            } else if !gap.isEmpty {
                output += gap
            }
            gap = ""
            if character == "=" && rest.hasPrefix("?") { problem = "malformed encoded word kept as written" }
            output.append(character)
        }
        flush()
        output += gap
        return (output, problem)
    }

    private struct Word {
        var charset: String
        var bytes: [UInt8]
        var end: Substring.Index
    }

    /// `=?charset[*lang]?B|Q?text?=` at the start of `text`.
    private static func parseWord(_ text: Substring) -> Word? {
        let afterOpen = text.index(text.startIndex, offsetBy: 2)
        guard let charsetEnd = text[afterOpen...].firstIndex(of: "?") else { return nil }
        let encodingStart = text.index(after: charsetEnd)
        guard encodingStart < text.endIndex else { return nil }
        let encoding = text[encodingStart]
        let afterEncoding = text.index(after: encodingStart)
        guard afterEncoding < text.endIndex, text[afterEncoding] == "?" else { return nil }
        let payloadStart = text.index(after: afterEncoding)
        guard let close = text[payloadStart...].range(of: "?=") else { return nil }
        let payload = text[payloadStart..<close.lowerBound]
        guard !payload.contains(" ") else { return nil }
        var charset = String(text[afterOpen..<charsetEnd])
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }  // RFC 2231 language
        guard !charset.isEmpty else { return nil }
        let bytes: [UInt8]?
        switch encoding {
        case "B", "b": bytes = TransferDecoding.base64(Array(payload.utf8)).bytes
        case "Q", "q": bytes = qDecode(payload)
        default: bytes = nil
        }
        guard let bytes else { return nil }
        return Word(charset: charset, bytes: bytes, end: close.upperBound)
    }

    private static func qDecode(_ text: Substring) -> [UInt8] {
        var bytes: [UInt8] = []
        let source = Array(text.utf8)
        var index = 0
        while index < source.count {
            let byte = source[index]
            if byte == 0x5F {
                bytes.append(0x20)
            } else if byte == 0x3D, index + 2 < source.count, let value = hexPair(source[index + 1], source[index + 2]) {
                bytes.append(value)
                index += 2
            } else {
                bytes.append(byte)
            }
            index += 1
        }
        return bytes
    }

    static func hexPair(_ high: UInt8, _ low: UInt8) -> UInt8? {
        func value(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x41 + 10
            case 0x61...0x66: byte - 0x61 + 10
            default: nil
            }
        }
        guard let high = value(high), let low = value(low) else { return nil }
        return high << 4 | low
    }
}
