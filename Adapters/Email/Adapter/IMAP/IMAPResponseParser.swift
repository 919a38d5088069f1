/// Reads IMAP responses from bytes as they arrive, whatever the chunking: a response is complete
/// at a CRLF that does not end a `{n}` literal announcement; literals (message bodies) are taken
/// by count, so a body may contain anything — CRLFs, parentheses, quotes, `* OK` lines.
///
/// ```swift
/// var parser = IMAPResponseParser()
/// parser.append(bytesFromSocket)
/// while let response = try parser.next() { … }
/// ```
public struct IMAPResponseParser: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    /// Largest literal accepted (a message bigger than the channel's limit is refused here).
    public var maxLiteralBytes: Int
    /// Longest response line (outside literals) accepted.
    public var maxLineBytes: Int

    public init(maxLiteralBytes: Int = 64 << 20, maxLineBytes: Int = 1 << 20) {
        self.maxLiteralBytes = maxLiteralBytes
        self.maxLineBytes = maxLineBytes
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete response, or `nil` when more bytes are needed.
    public mutating func next() throws(IMAPParseError) -> IMAPResponse? {
        guard let end = try completeResponseEnd() else { return nil }
        let bytes = buffer[start..<end]
        start = end
        if start > 64 * 1024 && start * 2 > buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        var reader = IMAPTokenReader(bytes: bytes)
        return try reader.response()
    }

    /// Where the response starting at `start` ends (after its final CRLF), if it is all here.
    private func completeResponseEnd() throws(IMAPParseError) -> Int? {
        var index = start
        var lineStart = start
        while index < buffer.count {
            guard let newline = buffer[index...].firstIndex(of: 0x0A) else {
                if buffer.count - lineStart > maxLineBytes { throw IMAPParseError("line longer than \(maxLineBytes) bytes") }
                return nil
            }
            if newline - lineStart > maxLineBytes { throw IMAPParseError("line longer than \(maxLineBytes) bytes") }
            if let count = try literalCount(endingBefore: newline, lineStart: lineStart) {
                guard count <= maxLiteralBytes else {
                    throw IMAPParseError("literal of \(count) bytes is over the \(maxLiteralBytes)-byte limit")
                }
                let literalEnd = newline + 1 + count
                guard literalEnd <= buffer.count else { return nil }
                index = literalEnd
                lineStart = literalEnd
                continue
            }
            return newline + 1
        }
        return nil
    }

    /// `n` when the line ending at `newline` ends with `{n}` or `{n+}`.
    private func literalCount(endingBefore newline: Int, lineStart: Int) throws(IMAPParseError) -> Int? {
        var end = newline
        if end > lineStart, buffer[end - 1] == 0x0D { end -= 1 }
        guard end > lineStart, buffer[end - 1] == 0x7D else { return nil }  // }
        var digitsEnd = end - 1
        if digitsEnd > lineStart, buffer[digitsEnd - 1] == 0x2B { digitsEnd -= 1 }  // +
        var digitsStart = digitsEnd
        while digitsStart > lineStart, (0x30...0x39).contains(buffer[digitsStart - 1]) { digitsStart -= 1 }
        guard digitsStart > lineStart, buffer[digitsStart - 1] == 0x7B, digitsStart < digitsEnd else { return nil }  // {
        guard digitsEnd - digitsStart <= 12, let count = Int(String(decoding: buffer[digitsStart..<digitsEnd], as: UTF8.self))
        else { throw IMAPParseError("literal size is not a number") }
        return count
    }
}
