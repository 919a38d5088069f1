/// One parsed SMTP/LMTP command line.
///
/// Parsing is strict about what decides delivery (the paths of MAIL and RCPT, the SIZE
/// parameter) and lenient about the rest: unknown ESMTP parameters are ignored, verbs are
/// case-insensitive, a space after the colon (`MAIL FROM: <a@b>`) is tolerated as Postfix does.
enum SMTPCommand: Sendable, Hashable {
    case hello(extended: Bool, lmtp: Bool, domain: String)
    case mail(from: String, size: Int?)
    case recipient(String)
    case data
    /// BDAT <size> [LAST] (RFC 3030): `size` bytes of the message follow the command line.
    case bdat(size: Int, last: Bool)
    case reset
    case noop
    case quit
    case startTLS
    case verify
    case help
    case auth
    case unknown(String)

    /// MAIL, RCPT, DATA and BDAT are paced by our own commits (input is not read while a message
    /// is being stored), so only the other commands — the ones a flood is made of — are rate-limited.
    var movesMail: Bool {
        switch self {
        case .mail, .recipient, .data, .bdat: true
        default: false
        }
    }

    enum ParseError: Error, Hashable {
        case syntax(String)
    }

    /// Parses one command line (without its line ending).
    static func parse(_ line: Substring) throws(ParseError) -> SMTPCommand {
        let verbEnd = line.firstIndex(of: " ") ?? line.endIndex
        let verb = line[..<verbEnd].uppercased()
        let rest = line[verbEnd...].drop { $0 == " " }
        switch verb {
        case "EHLO", "HELO", "LHLO":
            let domain = rest.split(separator: " ").first.map(String.init) ?? ""
            guard !domain.isEmpty else { throw .syntax("\(verb) needs a domain or address literal") }
            return .hello(extended: verb != "HELO", lmtp: verb == "LHLO", domain: domain)
        case "MAIL":
            let (path, parameters) = try pathAndParameters(rest, prefix: "FROM:")
            var size: Int?
            for parameter in parameters {
                let parts = parameter.split(separator: "=", maxSplits: 1)
                if parts.first?.uppercased() == "SIZE" {
                    guard parts.count == 2, let value = Int(parts[1]), value >= 0 else {
                        throw .syntax("SIZE must be a number of bytes")
                    }
                    size = value
                }
            }
            return .mail(from: path, size: size)
        case "RCPT":
            let (path, _) = try pathAndParameters(rest, prefix: "TO:")
            guard !path.isEmpty else { throw .syntax("RCPT TO needs an address") }
            return .recipient(path)
        case "DATA": return .data
        case "BDAT":
            let parts = rest.split(separator: " ")
            guard (1...2).contains(parts.count), let size = Int(parts[0]), size >= 0,
                parts.count == 1 || parts[1].uppercased() == "LAST"
            else { throw .syntax("BDAT needs a chunk size and optionally LAST") }
            return .bdat(size: size, last: parts.count == 2)
        case "RSET": return .reset
        case "NOOP": return .noop
        case "QUIT": return .quit
        case "STARTTLS": return .startTLS
        case "VRFY", "EXPN": return .verify
        case "HELP": return .help
        case "AUTH": return .auth
        default: return .unknown(String(verb.prefix(32)))
        }
    }

    /// `FROM:<path> PARAM=…` → ("path", ["PARAM=…"]). The path is returned without its angle
    /// brackets and source route; `<>` gives "".
    private static func pathAndParameters(_ text: Substring, prefix: String) throws(ParseError)
        -> (String, [Substring])
    {
        guard text.uppercased().hasPrefix(prefix) else { throw .syntax("expected \(prefix)<address>") }
        let afterPrefix = text.dropFirst(prefix.count).drop { $0 == " " }
        guard afterPrefix.first == "<", let close = afterPrefix.firstIndex(of: ">") else {
            throw .syntax("the address must be in angle brackets: \(prefix)<name@example.com>")
        }
        var path = afterPrefix[afterPrefix.index(after: afterPrefix.startIndex)..<close]
        // A source route (@a,@b:user@c) is obsolete; only the mailbox matters (RFC 5321 §4.1.2).
        if path.hasPrefix("@"), let colon = path.firstIndex(of: ":") { path = path[path.index(after: colon)...] }
        if path.contains(where: { $0 == " " || $0 == "<" || $0 == ">" }) {
            throw .syntax("the address contains a space or bracket")
        }
        if !path.isEmpty {
            guard let at = path.lastIndex(of: "@"), at != path.startIndex, path.index(after: at) != path.endIndex else {
                throw .syntax("'\(path.prefix(100))' is not an address (local-part@domain)")
            }
        }
        let parameters = afterPrefix[afterPrefix.index(after: close)...].split(separator: " ")
        return (String(path), parameters)
    }
}
