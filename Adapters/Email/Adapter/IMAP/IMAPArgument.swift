import Foundation

/// One argument of an IMAP command, encoded the way RFC 9051 §4.3 requires for its content:
/// atoms as they are, strings quoted when they can be and sent as literals when they cannot
/// (CR, LF, NUL or 8-bit bytes), mailbox names in modified UTF-7 (RFC 3501 §5.1.3).
enum IMAPArgument: Sendable, Hashable {
    /// Sent verbatim: keywords, sequence sets, parenthesized lists we built.
    case atom(String)
    /// A user-supplied string (user name, password).
    case string(String)
    /// A mailbox name.
    case mailbox(String)

    /// The bytes of this argument, split where a literal's body follows its `{n}` announcement.
    enum Encoded: Equatable {
        case text([UInt8])
        /// A literal: announce `{count}` (or `{count+}`), then send the bytes.
        case literal([UInt8])
    }

    var encoded: Encoded {
        switch self {
        case .atom(let text): .text(Array(text.utf8))
        case .mailbox(let name): Self.quotedOrLiteral(Array(Self.modifiedUTF7(name).utf8))
        case .string(let text): Self.quotedOrLiteral(Array(text.utf8))
        }
    }

    private static func quotedOrLiteral(_ bytes: [UInt8]) -> Encoded {
        if bytes.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 || $0 >= 0x80 }) { return .literal(bytes) }
        var quoted: [UInt8] = [0x22]
        for byte in bytes {
            if byte == 0x22 || byte == 0x5C { quoted.append(0x5C) }
            quoted.append(byte)
        }
        quoted.append(0x22)
        return .text(quoted)
    }

    /// Mailbox names in IMAP's modified UTF-7: printable ASCII as is (`&` as `&-`), other runs as
    /// `&` + base64 of UTF-16BE with `,` for `/` and no padding + `-`.
    static func modifiedUTF7(_ name: String) -> String {
        var result = ""
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            var bytes: [UInt8] = []
            for unit in pending { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
            let encoded = Data(bytes).base64EncodedString().replacingOccurrences(of: "/", with: ",")
                .replacingOccurrences(of: "=", with: "")
            result += "&" + encoded + "-"
            pending.removeAll()
        }
        for scalar in name.unicodeScalars {
            if (0x20...0x7E).contains(scalar.value) {
                flush()
                result += scalar == "&" ? "&-" : String(scalar)
            } else {
                pending.append(contentsOf: String(scalar).utf16)
            }
        }
        flush()
        return result
    }
}
