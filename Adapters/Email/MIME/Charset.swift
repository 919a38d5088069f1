import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Text in the charsets mail really arrives in, decoded with the system's iconv.
///
/// Labels are resolved the way browsers and mail clients do (the WHATWG Encoding Standard):
/// `gb2312`, `GB_2312-80`, `x-gbk`, `cp936` all mean GBK — and GBK bytes under a `gb2312` label
/// are common — so the whole family is decoded as GB18030, which contains both; `iso-8859-1`
/// and `us-ascii` mean windows-1252; `ks_c_5601-1987` and `euc-kr` mean windows-949.
public enum Charset {
    /// The iconv name for a MIME charset label; `nil` when unknown.
    public static func iconvName(forLabel label: String) -> String? {
        let key = label.trimmingSpace().lowercased()
        if let mapped = aliases[key] { return mapped }
        if key.hasPrefix("iso-8859-") || key.hasPrefix("iso8859-") || key.hasPrefix("iso_8859-") {
            let number = key.split(whereSeparator: { $0 == "-" || $0 == "_" }).last.map(String.init) ?? ""
            return ["1", "9"].contains(number) ? (number == "1" ? "WINDOWS-1252" : "WINDOWS-1254") : "ISO-8859-\(number)"
        }
        if key.hasPrefix("windows-125") || key.hasPrefix("cp125") {
            return "WINDOWS-125\(key.last.map(String.init) ?? "2")"
        }
        return nil
    }

    static let aliases: [String: String] = [
        "utf-8": "UTF-8", "utf8": "UTF-8", "unicode-1-1-utf-8": "UTF-8",
        "us-ascii": "WINDOWS-1252", "ascii": "WINDOWS-1252", "ansi_x3.4-1968": "WINDOWS-1252",
        "latin1": "WINDOWS-1252", "l1": "WINDOWS-1252",
        "gb2312": "GB18030", "gb_2312-80": "GB18030", "gb_2312": "GB18030", "x-gbk": "GB18030", "gbk": "GB18030",
        "cp936": "GB18030", "ms936": "GB18030", "windows-936": "GB18030", "chinese": "GB18030", "csgb2312": "GB18030",
        "iso-ir-58": "GB18030", "euc-cn": "GB18030", "x-euc-cn": "GB18030", "gb18030": "GB18030", "hz-gb-2312": "HZ",
        "big5": "BIG5-HKSCS", "big5-hkscs": "BIG5-HKSCS", "cn-big5": "BIG5-HKSCS", "x-x-big5": "BIG5-HKSCS",
        "csbig5": "BIG5-HKSCS", "cp950": "BIG5-HKSCS", "big5_tw": "BIG5-HKSCS", "big5-tw": "BIG5-HKSCS", "x-big5": "BIG5-HKSCS",
        "iso-2022-jp": "ISO-2022-JP-2", "csiso2022jp": "ISO-2022-JP-2", "shift_jis": "CP932", "shift-jis": "CP932",
        "sjis": "CP932", "x-sjis": "CP932", "ms_kanji": "CP932", "windows-31j": "CP932", "cp932": "CP932",
        "euc-jp": "EUC-JP", "x-euc-jp": "EUC-JP",
        "euc-kr": "CP949", "ks_c_5601-1987": "CP949", "ks_c_5601-1989": "CP949", "ksc5601": "CP949",
        "ksc_5601": "CP949", "korean": "CP949", "cp949": "CP949", "windows-949": "CP949", "iso-2022-kr": "ISO-2022-KR",
        "koi8-r": "KOI8-R", "koi8r": "KOI8-R", "koi8-u": "KOI8-U", "koi8-ru": "KOI8-RU",
        "utf-16": "UTF-16", "utf-16le": "UTF-16LE", "utf-16be": "UTF-16BE", "tis-620": "CP874", "windows-874": "CP874",
    ]

    /// Decodes `bytes` labelled `label`. Undecodable bytes become U+FFFD and are reported; an
    /// unknown label is decoded as UTF-8 when valid, else windows-1252, and reported.
    public static func decode(_ bytes: some Collection<UInt8>, label: String?) -> (text: String, problem: String?) {
        let array = Array(bytes)
        if array.allSatisfy({ $0 < 0x80 }) && !(label?.lowercased().contains("2022") ?? false)
            && !(label?.lowercased().hasPrefix("utf-16") ?? false) && label?.lowercased() != "hz-gb-2312"
        {
            return (String(decoding: array, as: UTF8.self), nil)
        }
        guard let label, !label.isEmpty else { return utf8OrLatin1(array, problem: nil) }
        guard let name = iconvName(forLabel: label) else {
            return utf8OrLatin1(array, problem: "unknown charset '\(label)'")
        }
        if name == "UTF-8" {
            if let text = String(validating: array, as: UTF8.self) { return (text, nil) }
            return (String(decoding: array, as: UTF8.self), "invalid UTF-8 bytes replaced")
        }
        return convert(array, from: name)
    }

    private static func utf8OrLatin1(_ bytes: [UInt8], problem: String?) -> (text: String, problem: String?) {
        if let text = String(validating: bytes, as: UTF8.self) { return (text, problem) }
        let (text, _) = convert(bytes, from: "WINDOWS-1252")
        return (text, problem)
    }

    /// iconv from `name` to UTF-8, replacing each undecodable byte with U+FFFD.
    static func convert(_ bytes: [UInt8], from name: String) -> (text: String, problem: String?) {
        let handle = iconv_open("UTF-8", name)
        guard handle != iconv_t(bitPattern: -1) else {
            return (String(decoding: bytes, as: UTF8.self), "charset \(name) is not available")
        }
        defer { iconv_close(handle) }
        var output = [UInt8]()
        output.reserveCapacity(bytes.count * 2 + 16)
        var replaced = 0
        var input = bytes
        var inputOffset = 0
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while inputOffset < input.count {
            let (consumed, produced, error) = input.withUnsafeMutableBytes { source in
                buffer.withUnsafeMutableBytes { target -> (Int, Int, Int32) in
                    guard let sourceBase = source.baseAddress, let targetBase = target.baseAddress else { return (0, 0, EINVAL) }
                    var inPointer: UnsafeMutablePointer<CChar>? = (sourceBase + inputOffset).assumingMemoryBound(to: CChar.self)
                    var inLeft = source.count - inputOffset
                    var outPointer: UnsafeMutablePointer<CChar>? = targetBase.assumingMemoryBound(to: CChar.self)
                    var outLeft = target.count
                    let result = iconv(handle, &inPointer, &inLeft, &outPointer, &outLeft)
                    let error: Int32 = result == -1 ? errno : 0
                    return (source.count - inputOffset - inLeft, target.count - outLeft, error)
                }
            }
            output.append(contentsOf: buffer[0..<produced])
            inputOffset += consumed
            switch error {
            case 0: break
            case E2BIG: continue
            case EINVAL:
                // Input ends inside a character.
                output.append(contentsOf: [0xEF, 0xBF, 0xBD])
                replaced += 1
                inputOffset = input.count
            default:
                // An invalid sequence: replace one byte and carry on.
                output.append(contentsOf: [0xEF, 0xBF, 0xBD])
                replaced += 1
                inputOffset += 1
                _ = iconv(handle, nil, nil, nil, nil)
            }
        }
        input.removeAll()
        return (String(decoding: output, as: UTF8.self), replaced > 0 ? "\(replaced) undecodable \(name) bytes replaced" : nil)
    }
}
