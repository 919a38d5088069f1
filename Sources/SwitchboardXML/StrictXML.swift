import Foundation

/// A small, strict XML reader for the documents channels send: elements, attributes, text,
/// CDATA, comments and processing instructions — and nothing that can reach outside the bytes.
///
/// Why our own: the documents that arrive at a webhook are attacker-controlled, and the usual
/// parsers (libxml2 behind FoundationXML) accept a DOCTYPE and then silently drop entity text
/// while reporting success. This reader refuses any DOCTYPE or markup declaration and any
/// reference to an entity other than the five XML predefines, as soon as it meets them and
/// before anything is resolved; nothing is ever fetched, expanded or defined. Work is one linear
/// pass bounded by ``XMLLimits``. Callers cap the document size before calling.
///
/// Text and CDATA are returned as written (CDATA content literally; `&amp;` inside CDATA stays
/// `&amp;`), with line ends normalized to LF as XML 1.0 §2.11 requires.
public enum StrictXML {
    /// Parses `bytes` (UTF-8, optionally with a BOM) into its root element.
    public static func parse(_ bytes: [UInt8], limits: XMLLimits = XMLLimits()) throws(XMLParseError) -> XMLElement {
        var reader = Reader(bytes: bytes, limits: limits)
        return try reader.document()
    }

    /// Parses `data`; see ``parse(_:limits:)-([UInt8],_)``.
    public static func parse(_ data: Data, limits: XMLLimits = XMLLimits()) throws(XMLParseError) -> XMLElement {
        try parse([UInt8](data), limits: limits)
    }
}

private struct Reader {
    let bytes: [UInt8]
    let limits: XMLLimits
    var index = 0
    var elements = 0

    init(bytes: [UInt8], limits: XMLLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    // MARK: Document

    mutating func document() throws(XMLParseError) -> XMLElement {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        var root: XMLElement?
        while true {
            skipWhitespace()
            guard index < bytes.count else { break }
            guard bytes[index] == lt else {
                throw .malformed(root == nil ? "text before the root element" : "text after the root element", at: index)
            }
            if try skipMiscellany() { continue }
            guard root == nil else { throw .malformed("a second root element", at: index) }
            root = try element(depth: 1)
        }
        guard let root else { throw .malformed("no root element", at: index) }
        return root
    }

    /// Skips a comment or processing instruction at `index`; refuses declarations. Returns false
    /// when `index` starts an element or end tag instead.
    mutating func skipMiscellany() throws(XMLParseError) -> Bool {
        if matches("<!--") {
            try skip(past: "-->", what: "comment")
            return true
        }
        if matches("<?") {
            try skip(past: "?>", what: "processing instruction")
            return true
        }
        if matches("<!") {
            throw .forbidden(declarationName() + " is not allowed", at: index)
        }
        return false
    }

    /// The keyword of the declaration at `index` (`<!DOCTYPE`), for the error message.
    func declarationName() -> String {
        var end = index + 2
        while end < bytes.count, end < index + 12, isNameByte(bytes[end]) { end += 1 }
        let word = String(decoding: bytes[(index + 2)..<end], as: UTF8.self)
        if word.uppercased() == "DOCTYPE" { return "DOCTYPE" }
        return word.isEmpty ? "markup declaration" : "<!\(word) declaration"
    }

    // MARK: Elements

    mutating func element(depth: Int) throws(XMLParseError) -> XMLElement {
        guard depth <= limits.maxDepth else { throw .tooComplex("elements nested deeper than \(limits.maxDepth)", at: index) }
        elements += 1
        guard elements <= limits.maxElements else { throw .tooComplex("more than \(limits.maxElements) elements", at: index) }
        index += 1  // "<"
        let name = try readName(what: "element name")
        var result = XMLElement(name: name)
        // Attributes, then ">" or "/>".
        while true {
            let hadSpace = skipWhitespace()
            guard index < bytes.count else { throw .malformed("tag <\(name)> is not closed", at: index) }
            if bytes[index] == slash {
                guard index + 1 < bytes.count, bytes[index + 1] == gt else { throw .malformed("'/' inside tag <\(name)>", at: index) }
                index += 2
                return result
            }
            if bytes[index] == gt {
                index += 1
                break
            }
            guard hadSpace else { throw .malformed("attributes of <\(name)> must be separated by whitespace", at: index) }
            let attribute = try readAttribute(element: name)
            guard !result.attributes.contains(where: { $0.name == attribute.name }) else {
                throw .malformed("attribute \(attribute.name) repeated on <\(name)>", at: index)
            }
            guard result.attributes.count < limits.maxAttributes else {
                throw .tooComplex("more than \(limits.maxAttributes) attributes on <\(name)>", at: index)
            }
            result.attributes.append(attribute)
        }
        // Content up to the matching end tag.
        var text: [UInt8] = []
        while true {
            guard index < bytes.count else { throw .malformed("element <\(name)> is not closed", at: index) }
            let byte = bytes[index]
            if byte == lt {
                if matches("</") {
                    index += 2
                    let closing = try readName(what: "end tag name")
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == gt else { throw .malformed("end tag </\(closing)> is not closed", at: index) }
                    index += 1
                    guard closing == name else { throw .malformed("<\(name)> is closed by </\(closing)>", at: index) }
                    result.text = try decodeUTF8(text, what: "text of <\(name)>")
                    return result
                }
                if matches("<![CDATA[") {
                    index += 9
                    guard let end = find("]]>") else { throw .malformed("CDATA section is not closed", at: index) }
                    try appendCharacters(bytes[index..<end], to: &text)
                    index = end + 3
                    continue
                }
                if try skipMiscellany() { continue }
                result.children.append(try element(depth: depth + 1))
                continue
            }
            if byte == amp {
                try appendReference(to: &text)
                continue
            }
            var end = index
            while end < bytes.count, bytes[end] != lt, bytes[end] != amp { end += 1 }
            try appendCharacters(bytes[index..<end], to: &text)
            index = end
        }
    }

    mutating func readAttribute(element: String) throws(XMLParseError) -> XMLAttribute {
        let name = try readName(what: "attribute name")
        skipWhitespace()
        guard index < bytes.count, bytes[index] == equals else { throw .malformed("attribute \(name) of <\(element)> has no '='", at: index) }
        index += 1
        skipWhitespace()
        guard index < bytes.count, bytes[index] == quote || bytes[index] == apostrophe else {
            throw .malformed("attribute \(name) of <\(element)> is not quoted", at: index)
        }
        let delimiter = bytes[index]
        index += 1
        var value: [UInt8] = []
        while true {
            guard index < bytes.count else { throw .malformed("attribute \(name) of <\(element)> is not closed", at: index) }
            let byte = bytes[index]
            if byte == delimiter {
                index += 1
                break
            }
            if byte == lt { throw .malformed("'<' in attribute \(name) of <\(element)>", at: index) }
            if byte == amp {
                try appendReference(to: &value)
                continue
            }
            var end = index
            while end < bytes.count, bytes[end] != delimiter, bytes[end] != lt, bytes[end] != amp { end += 1 }
            try appendCharacters(bytes[index..<end], to: &value)
            index = end
        }
        return XMLAttribute(name: name, value: try decodeUTF8(value, what: "attribute \(name)"))
    }

    // MARK: Characters and references

    /// Appends character data with CR LF and lone CR turned into LF; refuses NUL.
    func appendCharacters(_ slice: ArraySlice<UInt8>, to text: inout [UInt8]) throws(XMLParseError) {
        var previousCR = false
        for (offset, byte) in zip(slice.indices, slice) {
            switch byte {
            case 0: throw .malformed("NUL character", at: offset)
            case cr:
                text.append(lf)
                previousCR = true
            case lf:
                if !previousCR { text.append(lf) }
                previousCR = false
            default:
                text.append(byte)
                previousCR = false
            }
        }
    }

    /// Decodes `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&apos;` and character references at `index`.
    mutating func appendReference(to text: inout [UInt8]) throws(XMLParseError) {
        let start = index
        var end = index + 1
        while end < bytes.count, end - start <= 12, bytes[end] != semicolon, bytes[end] != lt { end += 1 }
        guard end < bytes.count, bytes[end] == semicolon, end > start + 1 else {
            throw .malformed("'&' that does not start a reference (write &amp;)", at: start)
        }
        let name = String(decoding: bytes[(start + 1)..<end], as: UTF8.self)
        index = end + 1
        switch name {
        case "lt": text.append(lt)
        case "gt": text.append(gt)
        case "amp": text.append(amp)
        case "quot": text.append(quote)
        case "apos": text.append(apostrophe)
        default:
            guard name.hasPrefix("#") else { throw .forbidden("reference to the undeclared entity &\(name);", at: start) }
            let digits = name.dropFirst()
            let value: UInt32? =
                digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            guard let value, value != 0, let scalar = Unicode.Scalar(value) else {
                throw .malformed("character reference &\(name); is not a valid character", at: start)
            }
            text.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
    }

    func decodeUTF8(_ bytes: [UInt8], what: String) throws(XMLParseError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformed("\(what) is not valid UTF-8", at: index)
        }
        return text
    }

    // MARK: Lexing

    mutating func readName(what: String) throws(XMLParseError) -> String {
        let start = index
        guard index < bytes.count, isNameStartByte(bytes[index]) else { throw .malformed("expected \(what)", at: index) }
        while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
        guard index - start <= 256 else { throw .tooComplex("\(what) longer than 256 bytes", at: start) }
        guard let name = String(validating: bytes[start..<index], as: UTF8.self) else {
            throw .malformed("\(what) is not valid UTF-8", at: start)
        }
        return name
    }

    @discardableResult
    mutating func skipWhitespace() -> Bool {
        let start = index
        while index < bytes.count, isWhitespace(bytes[index]) { index += 1 }
        return index > start
    }

    func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { buffer in
            for offset in 0..<count where bytes[index + offset] != buffer[offset] { return false }
            return true
        }
    }

    /// The index where `literal` next starts at or after `index`.
    func find(_ literal: StaticString) -> Int? {
        literal.withUTF8Buffer { buffer -> Int? in
            let count = buffer.count
            guard count > 0, bytes.count >= count else { return nil }
            var position = index
            while position + count <= bytes.count {
                if bytes[position] == buffer[0] {
                    var offset = 1
                    while offset < count, bytes[position + offset] == buffer[offset] { offset += 1 }
                    if offset == count { return position }
                }
                position += 1
            }
            return nil
        }
    }

    mutating func skip(past literal: StaticString, what: String) throws(XMLParseError) {
        let start = index
        index += 2
        guard let end = find(literal) else { throw .malformed("\(what) is not closed", at: start) }
        index = end + literal.utf8CodeUnitCount
    }

    func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == lf || byte == cr }

    func isNameStartByte(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x3A || byte >= 0x80
    }

    func isNameByte(_ byte: UInt8) -> Bool {
        isNameStartByte(byte) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E
    }
}

private let lt: UInt8 = 0x3C
private let gt: UInt8 = 0x3E
private let amp: UInt8 = 0x26
private let slash: UInt8 = 0x2F
private let equals: UInt8 = 0x3D
private let quote: UInt8 = 0x22
private let apostrophe: UInt8 = 0x27
private let semicolon: UInt8 = 0x3B
private let cr: UInt8 = 0x0D
private let lf: UInt8 = 0x0A
