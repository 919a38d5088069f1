/// Parses raw mail (RFC 5322 + MIME) as it really arrives: CRLF or bare LF, folded and obsolete
/// headers, missing or broken boundaries, truncated messages. It never fails: what it cannot
/// read is recorded as a ``MIMEIssue`` and the rest is kept.
public struct MIMEParser: Sendable {
    public var limits: MIMELimits

    public init(limits: MIMELimits = MIMELimits()) { self.limits = limits }

    public func parse(_ bytes: [UInt8]) -> MIMEMessage {
        var context = Context(limits: limits)
        let root = context.parsePart(bytes[...], path: "0", depth: 0, defaultType: "text/plain")
        return MIMEMessage(root: root, issues: context.issues, truncated: context.truncated)
    }

    private struct Context {
        let limits: MIMELimits
        var issues: [MIMEIssue] = []
        var truncated = false
        var parts = 0
        var decodedBytes = 0

        mutating func parsePart(_ bytes: ArraySlice<UInt8>, path: String, depth: Int, defaultType: String) -> MIMEPart {
            parts += 1
            let (headers, bodyStart, overLimit) = MIMEHeaders.parse(bytes, limit: limits.maxHeaderBytes)
            if overLimit {
                issues.append(MIMEIssue(.headerLimit, at: path, "header block over \(limits.maxHeaderBytes) bytes; the rest of it was skipped"))
            }
            let body = bytes[bodyStart...]
            var contentType = headers.raw("Content-Type").map(HeaderParameters.init(parsing:))
                ?? HeaderParameters(value: defaultType)
            if !contentType.value.contains("/") { contentType = HeaderParameters(value: "text/plain", parameters: contentType.parameters) }
            let disposition = headers.raw("Content-Disposition").map(HeaderParameters.init(parsing:))
            let encoding = (headers.string("Content-Transfer-Encoding") ?? "7bit").trimmingSpace().lowercased()
            var part = MIMEPart(
                path: path, headers: headers, contentType: contentType, disposition: disposition,
                transferEncoding: encoding, children: [], body: [])
            if contentType.value.hasPrefix("multipart/") {
                guard let boundary = contentType["boundary"], !boundary.isEmpty else {
                    issues.append(MIMEIssue(.missingBoundary, at: path, "\(contentType.value) without a boundary; read as text"))
                    part.contentType = HeaderParameters(value: "text/plain", parameters: [:])
                    part.body = decode(body, encoding: encoding, path: path)
                    return part
                }
                guard depth < limits.maxDepth else {
                    issues.append(MIMEIssue(.depthLimit, at: path, "nesting deeper than \(limits.maxDepth); kept unparsed"))
                    part.contentType = HeaderParameters(value: "application/octet-stream", parameters: [:])
                    part.body = Array(body)
                    return part
                }
                let childType = contentType.value == "multipart/digest" ? "message/rfc822" : "text/plain"
                let (sections, closed) = Self.split(body, boundary: Array(boundary.utf8))
                var usable = sections
                if !closed {
                    truncated = true
                    issues.append(MIMEIssue(.truncated, at: path, "no closing boundary; the last, incomplete part was left out"))
                    if !usable.isEmpty { usable.removeLast() }
                }
                for (index, section) in usable.enumerated() {
                    guard parts < limits.maxParts else {
                        issues.append(MIMEIssue(.partLimit, at: path, "more than \(limits.maxParts) parts; the rest were skipped"))
                        break
                    }
                    part.children.append(
                        parsePart(section, path: path == "0" ? "\(index + 1)" : "\(path).\(index + 1)", depth: depth + 1, defaultType: childType))
                }
                return part
            }
            part.body = decode(body, encoding: encoding, path: path)
            return part
        }

        mutating func decode(_ body: ArraySlice<UInt8>, encoding: String, path: String) -> [UInt8] {
            var decoded: [UInt8]
            switch encoding {
            case "base64":
                let result = TransferDecoding.base64(body)
                if !result.clean { issues.append(MIMEIssue(.badBase64, at: path, "characters outside base64 skipped")) }
                decoded = result.bytes
            case "quoted-printable":
                let result = TransferDecoding.quotedPrintable(body)
                if !result.clean {
                    issues.append(MIMEIssue(.badQuotedPrintable, at: path, "malformed escapes kept as written"))
                }
                decoded = result.bytes
            default:
                decoded = Array(body)
            }
            let room = max(0, limits.maxDecodedBytes - decodedBytes)
            if decoded.count > room {
                issues.append(MIMEIssue(.sizeLimit, at: path, "decoded size over \(limits.maxDecodedBytes) bytes; cut"))
                decoded = Array(decoded.prefix(room))
            }
            decodedBytes += decoded.count
            return decoded
        }

        /// The body sections between `--boundary` lines, and whether the closing
        /// `--boundary--` was seen. The line break before a delimiter belongs to the delimiter.
        static func split(_ body: ArraySlice<UInt8>, boundary: [UInt8]) -> (sections: [ArraySlice<UInt8>], closed: Bool) {
            var sections: [ArraySlice<UInt8>] = []
            var sectionStart: Int?
            var index = body.startIndex
            let delimiter: [UInt8] = [0x2D, 0x2D] + boundary
            while index < body.endIndex {
                let (lineEnd, next) = MIMEHeaders.lineBounds(body, from: index)
                let line = body[index..<lineEnd]
                if line.count >= delimiter.count, line.starts(with: delimiter) {
                    var rest = line.dropFirst(delimiter.count)
                    let closing = rest.starts(with: [0x2D, 0x2D])
                    if closing { rest = rest.dropFirst(2) }
                    if rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                        if let start = sectionStart {
                            // Drop the line break that precedes the delimiter.
                            var end = index
                            if end > start, body[end - 1] == 0x0A { end -= 1 }
                            if end > start, body[end - 1] == 0x0D { end -= 1 }
                            sections.append(body[start..<max(start, end)])
                        }
                        if closing { return (sections, true) }
                        sectionStart = next
                    }
                }
                index = next
            }
            if let start = sectionStart, start <= body.endIndex { sections.append(body[start..<body.endIndex]) }
            return (sections, false)
        }
    }
}
