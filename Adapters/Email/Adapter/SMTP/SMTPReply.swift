/// One SMTP/LMTP server reply: a code, an enhanced status code (RFC 3463) and text lines.
///
/// Rendered as RFC 5321 §4.2 multi-line replies (`250-…` then `250 …`). Text never contains a
/// line break: whatever a caller passes is flattened, so a reason taken from an error cannot
/// inject a reply line.
struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    var code: Int
    var enhanced: String?
    var lines: [String]

    init(_ code: Int, _ enhanced: String?, _ lines: String...) {
        self.init(code, enhanced, lines: lines)
    }

    init(_ code: Int, _ enhanced: String?, lines: [String]) {
        self.code = code
        self.enhanced = enhanced
        self.lines = lines.isEmpty ? [""] : lines.map(Self.flatten)
    }

    var isPositive: Bool { code < 400 }
    var isTransient: Bool { (400..<500).contains(code) }

    /// The reply as it goes on the wire, CRLF-terminated.
    var wire: String {
        var text = ""
        for (index, line) in lines.enumerated() {
            text += "\(code)\(index == lines.count - 1 ? " " : "-")"
            if let enhanced { text += enhanced + (line.isEmpty ? "" : " ") }
            text += line + "\r\n"
        }
        return text
    }

    var description: String { wire.replacingOccurrences(of: "\r\n", with: " | ").trimmingCharacters(in: .whitespaces) }

    private static func flatten(_ text: String) -> String {
        // Most replies are our own fixed texts: check the bytes before rebuilding anything.
        if text.utf8.count <= 400 && !text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) { return text }
        return String(text.map { $0.isNewline || $0 == "\0" ? " " : $0 }.prefix(400))
    }
}

extension SMTPReply {
    static let ok = SMTPReply(250, "2.0.0", "OK")
    static let badSequenceMailFirst = SMTPReply(503, "5.5.1", "MAIL first")
    static let badSequenceRecipientFirst = SMTPReply(503, "5.5.1", "RCPT first: no valid recipient yet")
    static let syntax = SMTPReply(501, "5.5.4", "syntax error in parameters or arguments")
    static let lineTooLong = SMTPReply(500, "5.5.2", "line too long")
    static let unknownCommand = SMTPReply(500, "5.5.2", "command not recognized")
    static let messageTooBig = SMTPReply(552, "5.3.4", "message exceeds the size limit of this server")
    static let tooManyRecipients = SMTPReply(452, "4.5.3", "too many recipients")
    static let storeFailed = SMTPReply(451, "4.3.0", "message not stored: temporary local problem; please try again later")
    static let idle = SMTPReply(421, "4.4.2", "idle timeout; closing connection")
    static let shuttingDown = SMTPReply(421, "4.3.2", "service shutting down; try again later")
    static let tooManyErrors = SMTPReply(421, "4.7.0", "too many errors; closing connection")
    static let tooFast = SMTPReply(421, "4.7.0", "too many commands too fast; closing connection")
    static let tooManyConnections = SMTPReply(421, "4.7.0", "too many connections; try again later")
    static let tlsRequired = SMTPReply(530, "5.7.0", "must issue a STARTTLS command first")
}
