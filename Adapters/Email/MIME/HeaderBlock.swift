/// The header fields of a message or part, in order, unfolded, as raw bytes.
///
/// Field values stay bytes until asked for: a value may hold raw 8-bit text (often UTF-8, in
/// violation of RFC 5322 but common), which ``text(_:)`` decodes as UTF-8 when valid and
/// windows-1252 otherwise, then RFC 2047 encoded words.
public struct MIMEHeaders: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        /// As written, without the colon.
        public var name: String
        /// Unfolded (line breaks of folded lines removed), leading whitespace trimmed.
        public var value: [UInt8]
    }

    public var fields: [Field]

    public init(fields: [Field] = []) { self.fields = fields }

    /// The first field named `name` (case-insensitive), raw.
    public func raw(_ name: String) -> [UInt8]? {
        let key = name.lowercased()
        return fields.first { $0.name.lowercased() == key }?.value
    }

    public func contains(_ name: String) -> Bool { raw(name) != nil }

    /// The first field named `name` as text, raw 8-bit bytes decoded, encoded words not.
    public func string(_ name: String) -> String? { raw(name).map(Self.decodeRaw) }

    /// The first field named `name` as display text: encoded words decoded.
    public func text(_ name: String) -> String? { string(name).map { EncodedWords.decode($0).text } }

    /// Every field named `name` as text (raw bytes decoded).
    public func all(_ name: String) -> [String] {
        let key = name.lowercased()
        return fields.filter { $0.name.lowercased() == key }.map { Self.decodeRaw($0.value) }
    }

    static func decodeRaw(_ bytes: [UInt8]) -> String {
        Charset.decode(bytes, label: "utf-8").problem == nil
            ? String(decoding: bytes, as: UTF8.self) : Charset.decode(bytes, label: "windows-1252").text
    }

    /// Splits `bytes` into the header block and where the body starts. Accepts CRLF and bare LF
    /// line ends, continuation lines starting with space or tab, and lines without a colon
    /// (skipped: obsolete or broken). Stops at the first empty line, or at `limit` bytes.
    static func parse(_ bytes: ArraySlice<UInt8>, limit: Int) -> (headers: MIMEHeaders, bodyStart: Int, overLimit: Bool) {
        var fields: [Field] = []
        var index = bytes.startIndex
        let end = bytes.endIndex
        var current: (name: String, value: [UInt8])?
        func finish() {
            if let field = current {
                var value = field.value
                while let last = value.last, last == 0x20 || last == 0x09 { value.removeLast() }
                fields.append(Field(name: field.name, value: value))
            }
            current = nil
        }
        while index < end {
            if index - bytes.startIndex > limit {
                finish()
                // Skip to the end of the header block anyway, so the body is found.
                var scan = index
                while scan < end {
                    let (lineEnd, next) = lineBounds(bytes, from: scan)
                    if lineEnd == scan { return (MIMEHeaders(fields: fields), next, true) }
                    scan = next
                }
                return (MIMEHeaders(fields: fields), end, true)
            }
            let (lineEnd, next) = lineBounds(bytes, from: index)
            if lineEnd == index {
                finish()
                return (MIMEHeaders(fields: fields), next, false)
            }
            let first = bytes[index]
            if first == 0x20 || first == 0x09 {
                // Continuation: unfold by dropping the line break, keeping the whitespace.
                current?.value.append(contentsOf: bytes[index..<lineEnd])
            } else if let colon = bytes[index..<lineEnd].firstIndex(of: 0x3A) {
                finish()
                var nameEnd = colon
                while nameEnd > index, bytes[nameEnd - 1] == 0x20 || bytes[nameEnd - 1] == 0x09 { nameEnd -= 1 }
                var valueStart = colon + 1
                while valueStart < lineEnd, bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09 { valueStart += 1 }
                current = (String(decoding: bytes[index..<nameEnd], as: UTF8.self), Array(bytes[valueStart..<lineEnd]))
            } else {
                finish()  // not a header line; ignored
            }
            index = next
        }
        finish()
        return (MIMEHeaders(fields: fields), end, false)
    }

    /// The end of the line starting at `start` (before CR LF or LF) and the start of the next.
    static func lineBounds(_ bytes: ArraySlice<UInt8>, from start: Int) -> (end: Int, next: Int) {
        guard let newline = bytes[start...].firstIndex(of: 0x0A) else { return (bytes.endIndex, bytes.endIndex) }
        let end = newline > start && bytes[newline - 1] == 0x0D ? newline - 1 : newline
        return (end, newline + 1)
    }
}
