/// Reads the tokens of one complete IMAP response: atoms, numbers, quoted strings, literals,
/// `NIL`, parenthesized lists and bracketed sections.
struct IMAPTokenReader {
    let bytes: ArraySlice<UInt8>
    var index: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    private var atEnd: Bool { index >= bytes.endIndex || bytes[index] == 0x0D || bytes[index] == 0x0A }
    private var current: UInt8? { index < bytes.endIndex ? bytes[index] : nil }

    mutating func response() throws(IMAPParseError) -> IMAPResponse {
        if current == 0x2B {  // +
            index += 1
            skipSpaces()
            return .continuation(restOfLine())
        }
        let tag = atom()
        guard !tag.isEmpty else { throw IMAPParseError("response starts with neither a tag, '*' nor '+'") }
        try expectSpace()
        if tag == "*" { return .untagged(try untagged()) }
        let word = atom().uppercased()
        guard let status = IMAPStatus(rawValue: word) else { throw IMAPParseError("tagged response with status '\(word)'") }
        let (code, text) = try statusText()
        return .tagged(tag: tag, status: status, code: code, text: text)
    }

    private mutating func untagged() throws(IMAPParseError) -> IMAPUntagged {
        let word = atom()
        if let number = Int(word) {
            try expectSpace()
            let kind = atom().uppercased()
            switch kind {
            case "EXISTS": return .exists(number)
            case "RECENT": return .recent(number)
            case "EXPUNGE": return .expunge(number)
            case "FETCH":
                try expectSpace()
                return .fetch(sequence: number, try fetchAttributes())
            default: return .other("\(number) \(kind) \(restOfLine())")
            }
        }
        let upper = word.uppercased()
        if let status = IMAPStatus(rawValue: upper) {
            let (code, text) = try statusText()
            return .status(status, code: code, text: text)
        }
        switch upper {
        case "CAPABILITY":
            return .capability(restOfLine().split(separator: " ").map { String($0).uppercased() })
        case "FLAGS":
            skipSpaces()
            return .flags(try list().compactMap(\.text))
        case "SEARCH":
            return .search(restOfLine().split(separator: " ").compactMap { UInt32($0) })
        default:
            return .other("\(word) \(restOfLine())")
        }
    }

    /// `[CODE args] text` after a status word.
    private mutating func statusText() throws(IMAPParseError) -> (IMAPResponseCode?, String) {
        skipSpaces()
        var code: IMAPResponseCode?
        if current == 0x5B {  // [
            index += 1
            guard let close = bytes[index...].firstIndex(of: 0x5D) else { throw IMAPParseError("response code without ']'") }
            let inside = String(decoding: bytes[index..<close], as: UTF8.self)
            index = close + 1
            let parts = inside.split(separator: " ")
            let name = parts.first.map { $0.uppercased() } ?? ""
            switch name {
            case "UIDVALIDITY": code = parts.count > 1 ? UInt32(parts[1]).map(IMAPResponseCode.uidValidity) : nil
            case "UIDNEXT": code = parts.count > 1 ? UInt32(parts[1]).map(IMAPResponseCode.uidNext) : nil
            case "CAPABILITY": code = .capability(parts.dropFirst().map { $0.uppercased() })
            default: code = .other(inside)
            }
            if code == nil { code = .other(inside) }
            skipSpaces()
        }
        return (code, restOfLine())
    }

    /// `(UID 7 FLAGS (\Seen) INTERNALDATE "…" RFC822.SIZE 1234 BODY[] {1234}…)`.
    private mutating func fetchAttributes() throws(IMAPParseError) -> IMAPFetch {
        guard current == 0x28 else { throw IMAPParseError("FETCH data does not start with '('") }
        index += 1
        var fetch = IMAPFetch()
        while true {
            skipSpaces()
            guard let byte = current else { throw IMAPParseError("FETCH data ends before ')'") }
            if byte == 0x29 {
                index += 1
                return fetch
            }
            let name = attributeName().uppercased()
            guard !name.isEmpty else { throw IMAPParseError("FETCH attribute name expected") }
            try expectSpace()
            switch name {
            case "UID": fetch.uid = UInt32(atom())
            case "RFC822.SIZE": fetch.size = Int(atom())
            case "FLAGS": fetch.flags = try list().compactMap(\.text)
            case "INTERNALDATE": fetch.internalDate = try value().text
            default:
                let body = try value()
                if name == "RFC822" || (name.hasPrefix("BODY[]") || name.hasPrefix("BODY.PEEK[]")) { fetch.body = body.bytes }
                if name == "RFC822.HEADER" || name.hasPrefix("BODY[HEADER]") || name.hasPrefix("BODY.PEEK[HEADER]") {
                    fetch.header = body.bytes
                }
            }
        }
    }

    /// An attribute name, with its bracketed section and partial (`BODY[HEADER.FIELDS (A B)]<0>`).
    private mutating func attributeName() -> String {
        var name: [UInt8] = []
        var depth = 0
        while let byte = current, !(byte == 0x20 && depth == 0), byte != 0x0D, !(byte == 0x29 && depth == 0) {
            if byte == 0x5B { depth += 1 }
            if byte == 0x5D { depth = max(0, depth - 1) }
            name.append(byte)
            index += 1
        }
        return String(decoding: name, as: UTF8.self)
    }

    /// A value: list, quoted string, literal, NIL or atom.
    enum Value {
        case nilValue
        case bytes([UInt8])
        case list([Value])

        var text: String? {
            if case .bytes(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }

        var bytes: [UInt8]? {
            if case .bytes(let bytes) = self { return bytes }
            return nil
        }
    }

    private mutating func value() throws(IMAPParseError) -> Value {
        guard let byte = current else { throw IMAPParseError("value expected") }
        switch byte {
        case 0x28: return .list(try list())
        case 0x22: return .bytes(try quoted())
        case 0x7B: return .bytes(try literal())
        default:
            let word = atom()
            // An empty atom means a byte no value can start with: stop rather than loop.
            guard !word.isEmpty else { throw IMAPParseError("value expected at byte \(index - bytes.startIndex)") }
            return word.uppercased() == "NIL" ? .nilValue : .bytes(Array(word.utf8))
        }
    }

    private mutating func list() throws(IMAPParseError) -> [Value] {
        guard current == 0x28 else { throw IMAPParseError("'(' expected") }
        index += 1
        var items: [Value] = []
        while true {
            skipSpaces()
            guard let byte = current else { throw IMAPParseError("list ends before ')'") }
            if byte == 0x29 {
                index += 1
                return items
            }
            items.append(try value())
        }
    }

    private mutating func quoted() throws(IMAPParseError) -> [UInt8] {
        index += 1
        var result: [UInt8] = []
        while let byte = current {
            index += 1
            if byte == 0x5C, let next = current {  // backslash escape
                result.append(next)
                index += 1
            } else if byte == 0x22 {
                return result
            } else if byte == 0x0D || byte == 0x0A {
                break
            } else {
                result.append(byte)
            }
        }
        throw IMAPParseError("quoted string not closed")
    }

    /// `{n}` or `{n+}`, CRLF, then exactly n bytes.
    private mutating func literal() throws(IMAPParseError) -> [UInt8] {
        index += 1
        var digits: [UInt8] = []
        while let byte = current, (0x30...0x39).contains(byte) {
            digits.append(byte)
            index += 1
        }
        if current == 0x2B { index += 1 }
        guard current == 0x7D, let count = Int(String(decoding: digits, as: UTF8.self)) else {
            throw IMAPParseError("malformed literal")
        }
        index += 1
        if current == 0x0D { index += 1 }
        guard current == 0x0A else { throw IMAPParseError("literal announcement not followed by CRLF") }
        index += 1
        guard index + count <= bytes.endIndex else { throw IMAPParseError("literal shorter than announced") }
        defer { index += count }
        return Array(bytes[index..<(index + count)])
    }

    private mutating func atom() -> String {
        var word: [UInt8] = []
        while let byte = current, byte != 0x20, byte != 0x28, byte != 0x29, byte != 0x0D, byte != 0x0A {
            if byte == 0x5B && !word.isEmpty { break }
            word.append(byte)
            index += 1
        }
        return String(decoding: word, as: UTF8.self)
    }

    private mutating func skipSpaces() {
        while current == 0x20 { index += 1 }
    }

    private mutating func expectSpace() throws(IMAPParseError) {
        guard current == 0x20 else { throw IMAPParseError("space expected at byte \(index - bytes.startIndex)") }
        skipSpaces()
    }

    private mutating func restOfLine() -> String {
        var end = index
        while end < bytes.endIndex, bytes[end] != 0x0D, bytes[end] != 0x0A { end += 1 }
        defer { index = end }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }
}
