/// Content-Transfer-Encoding decoders, lenient the way mail readers are: stray characters in
/// base64 are skipped, malformed quoted-printable escapes are kept as written; either is
/// reported.
public enum TransferDecoding {
    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8).enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        // URL-safe alphabet too: some mailers use it.
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// Decodes base64, ignoring whitespace and characters outside the alphabet (reported).
    public static func base64(_ input: some Collection<UInt8>) -> (bytes: [UInt8], clean: Bool) {
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        var clean = true
        var ended = false
        for byte in input {
            if byte == 0x3D {  // '=' padding ends the data
                ended = true
                continue
            }
            let value = base64Values[Int(byte)]
            if value == 0xFF {
                if byte != 0x0D && byte != 0x0A && byte != 0x20 && byte != 0x09 { clean = false }
                continue
            }
            if ended { clean = false }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return (output, clean)
    }

    /// Decodes quoted-printable: `=XX` escapes, `=` at the end of a line joins lines; trailing
    /// whitespace on a line is dropped (RFC 2045 §6.7).
    public static func quotedPrintable(_ input: some Collection<UInt8>) -> (bytes: [UInt8], clean: Bool) {
        let source = Array(input)
        var output: [UInt8] = []
        output.reserveCapacity(source.count)
        var clean = true
        var index = 0
        var lineStart = 0
        while index < source.count {
            let byte = source[index]
            if byte == 0x3D {
                if index + 2 < source.count || index + 2 == source.count {
                    if index + 1 < source.count, source[index + 1] == 0x0A {
                        index += 2
                        lineStart = output.count
                        continue
                    }
                    if index + 2 < source.count, source[index + 1] == 0x0D, source[index + 2] == 0x0A {
                        index += 3
                        lineStart = output.count
                        continue
                    }
                    if index + 2 < source.count, let value = EncodedWords.hexPair(source[index + 1], source[index + 2]) {
                        output.append(value)
                        index += 3
                        continue
                    }
                }
                if index == source.count - 1 { break }  // '=' at the very end: soft break
                clean = false
                output.append(byte)
                index += 1
                continue
            }
            if byte == 0x0A || (byte == 0x0D && index + 1 < source.count && source[index + 1] == 0x0A) {
                // Drop transport whitespace at the end of the line.
                while output.count > lineStart, let last = output.last, last == 0x20 || last == 0x09 { output.removeLast() }
                output.append(contentsOf: byte == 0x0D ? [0x0D, 0x0A] : [0x0A])
                index += byte == 0x0D ? 2 : 1
                lineStart = output.count
                continue
            }
            output.append(byte)
            index += 1
        }
        return (output, clean)
    }
}
