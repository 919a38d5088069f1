import Foundation
import SwitchboardCore
import Testing

@testable import SwitchboardMIME

@Suite("MIME pieces")
struct MIMEPiecesTests {
    static func parse(_ text: String, limits: MIMELimits = MIMELimits()) -> MIMEMessage {
        MIMEParser(limits: limits).parse(Array(text.utf8))
    }

    @Test("encoded words: B and Q, adjacent words joined, a character split across words, broken words kept")
    func encodedWords() {
        #expect(EncodedWords.decode("=?utf-8?B?5L2g5aW9?=").text == "你好")
        #expect(EncodedWords.decode("=?iso-8859-1?Q?caf=E9_cr=E8me?=").text == "café crème")
        #expect(EncodedWords.decode("=?utf-8?Q?a?= =?utf-8?Q?b?=").text == "ab")
        #expect(EncodedWords.decode("Re: =?utf-8?Q?x?= tail").text == "Re: x tail")
        // 你 is E4 BD A0: split across two words.
        #expect(EncodedWords.decode("=?utf-8?Q?=E4=BD?= =?utf-8?Q?=A0?=").text == "你")
        #expect(EncodedWords.decode("=?utf-8?X?abc?= plain").text == "=?utf-8?X?abc?= plain")
        #expect(EncodedWords.decode("=?gb2312?B?xOO6ww==?=").text == "你好")
    }

    @Test("RFC 2231 parameters: charset, continuations, quoted and encoded sections")
    func parameters() {
        let simple = HeaderParameters(parsing: Array("attachment; filename*=utf-8''%E6%8A%A5%E4%BB%B7.pdf".utf8))
        #expect(simple.value == "attachment" && simple["filename"] == "报价.pdf")
        let continued = HeaderParameters(
            parsing: Array("attachment; filename*0*=utf-8''%E5%B9%B4; filename*1*=%E6%8A%A5; filename*2=\".xlsx\"".utf8))
        #expect(continued["filename"] == "年报.xlsx")
        let quoted = HeaderParameters(parsing: Array("text/plain; charset=\"GBK\"; format=flowed; name=\"a;b.txt\"".utf8))
        #expect(quoted.value == "text/plain" && quoted["charset"] == "GBK" && quoted["name"] == "a;b.txt")
        let outlook = HeaderParameters(parsing: Array("application/pdf; name=\"=?utf-8?B?5oql5Lu3LnBkZg==?=\"".utf8))
        #expect(outlook["name"] == "报价.pdf")
    }

    @Test("addresses: quoted names with commas, comments, groups, encoded names, bare addresses")
    func addresses() {
        let list = MailAddress.parseList(
            "\"Wang, Fang\" <Fang.Wang@Example.COM>, bob@example.com (Bob Smith), Team: a@x.org, b@y.org;, =?utf-8?B?5byg5LiJ?= <z@s.cn>")
        #expect(list.map(\.address) == ["fang.wang@example.com", "bob@example.com", "a@x.org", "b@y.org", "z@s.cn"])
        #expect(list.map(\.name) == ["Wang, Fang", "Bob Smith", nil, nil, "张三"])
    }

    @Test("transfer encodings: lenient base64, quoted-printable soft breaks and bad escapes")
    func transferEncodings() {
        #expect(TransferDecoding.base64(Array("aGVs\r\nbG8=".utf8)).bytes == Array("hello".utf8))
        let dirty = TransferDecoding.base64(Array("aGVs*bG8=".utf8))
        #expect(dirty.bytes == Array("hello".utf8) && !dirty.clean)
        #expect(TransferDecoding.quotedPrintable(Array("caf=C3=A9 =\r\nau lait  \r\nend".utf8)).bytes == Array("café au lait\r\nend".utf8))
        let bad = TransferDecoding.quotedPrintable(Array("100=% sure".utf8))
        #expect(bad.bytes == Array("100=% sure".utf8) && !bad.clean)
    }

    @Test("charsets by label, WHATWG-style, undecodable bytes replaced and reported")
    func charsets() {
        #expect(Charset.decode([0xC4, 0xE3, 0xBA, 0xC3], label: "x-gbk").text == "你好")
        #expect(Charset.decode([0x93, 0x94], label: "iso-8859-1").text == "“”")  // windows-1252 in practice
        #expect(Charset.decode([0xA7, 0x41], label: "big5").text == "你")
        let broken = Charset.decode([0x41, 0xFF, 0x42], label: "utf-8")
        #expect(broken.text == "A\u{FFFD}B" && broken.problem != nil)
        let unknown = Charset.decode(Array("héllo".utf8), label: "x-martian")
        #expect(unknown.text == "héllo" && unknown.problem != nil)
    }

    @Test("HTML-only mail: text without tags, scripts or entities")
    func htmlText() {
        let text = HTMLText.text(
            fromHTML: "<html><head><style>p{}</style></head><body><p>Hello&nbsp;<b>world</b> &amp; you</p><script>x()</script><div>Line&#33;</div></body></html>")
        #expect(text == "Hello world & you\n\nLine!")
        #expect(HTMLText.text(fromHTML: "<p>a</p>\r\n<p>b</p>\r\n") == "a\n\nb", "CRLF between blocks")
    }

    @Test("limits: nesting depth, part count and header size are bounded and reported")
    func limits() {
        var nested = "Content-Type: text/plain\r\n\r\ndeep"
        for level in (1...60).reversed() {
            nested = "Content-Type: multipart/mixed; boundary=b\(level)\r\n\r\n--b\(level)\r\n\(nested)\r\n--b\(level)--\r\n"
        }
        let deep = Self.parse(nested)
        #expect(deep.issues.contains { $0.kind == .depthLimit }, "\(deep.issues)")
        #expect(!deep.truncated)

        var many = "Content-Type: multipart/mixed; boundary=x\r\n\r\n"
        for index in 0..<1_500 { many += "--x\r\nContent-Type: text/plain\r\n\r\npart \(index)\r\n" }
        many += "--x--\r\n"
        let wide = Self.parse(many)
        #expect(wide.issues.contains { $0.kind == .partLimit })
        #expect(wide.root.children.count < 1_000)

        var limits = MIMELimits()
        limits.maxHeaderBytes = 1_000
        let big = Self.parse("Subject: hi\r\nX-Junk: " + String(repeating: "a", count: 5_000) + "\r\n\r\nbody", limits: limits)
        #expect(big.issues.contains { $0.kind == .headerLimit })
        #expect(big.text == "body")

        limits = MIMELimits()
        limits.maxDecodedBytes = 10
        let large = Self.parse("Content-Type: text/plain\r\n\r\n" + String(repeating: "z", count: 100), limits: limits)
        #expect(large.root.body.count == 10 && large.issues.contains { $0.kind == .sizeLimit })
    }

    @Test("a multipart without a boundary, digest defaults, cid images")
    func structure() {
        let noBoundary = Self.parse("Content-Type: multipart/mixed\r\n\r\nhello")
        #expect(noBoundary.text == "hello" && noBoundary.issues.contains { $0.kind == .missingBoundary })
        let digest = Self.parse(
            "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: inner\r\n\r\nbody\r\n--d--\r\n")
        #expect(digest.root.children.first?.mediaType == "message/rfc822")
        #expect(digest.attachments.count == 1)
        let related = Self.parse(
            "Content-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n<img src=\"cid:logo@x\">Hi\r\n--r\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--r--\r\n")
        #expect(related.attachments.first?.contentID == "logo@x")
        #expect(related.text == "Hi")
        #expect(related.html?.contains("cid:logo@x") == true)
    }
}

@Suite("MIME fuzzing")
struct MIMEFuzzTests {
    /// Mutates corpus messages (flipped, deleted, duplicated and inserted bytes, cut-offs,
    /// repeated boundary lines) for a bounded time: the parser never crashes, never hangs and
    /// its output stays bounded.
    @Test("seeded mutations of the corpus: no crash, bounded time and output")
    func mutations() throws {
        let files = try CorpusTests.sets.flatMap { set in
            let directory = CorpusTests.fixtures.appendingPathComponent(set)
            return try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }.sorted()
                .map { directory.appendingPathComponent($0) }
        }
        let corpus = try files.map { try [UInt8](Data(contentsOf: $0)) }
        #expect(!corpus.isEmpty)
        var random = SeededRandom(seed: 20_261_123)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        var runs = 0
        var slowest: Duration = .zero
        let tokens: [[UInt8]] = ["\r\n", "--", "=?utf-8?B?", "?=", "boundary=", "multipart/mixed; boundary=\"a\"", "\r\n--a\r\n", "=\r\n", "*0*=", "'", "\"", "<", ">"].map { Array($0.utf8) }
        while clock.now < deadline && runs < 20_000 {
            var bytes = corpus[Int.random(in: 0..<corpus.count, using: &random)]
            for _ in 0..<Int.random(in: 1...8, using: &random) where !bytes.isEmpty {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<6, using: &random) {
                case 0: bytes[position] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.remove(at: position)
                case 2: bytes.insert(contentsOf: tokens[Int.random(in: 0..<tokens.count, using: &random)], at: position)
                case 3: bytes.removeSubrange(position...)
                case 4:
                    let end = min(bytes.count, position + Int.random(in: 1...200, using: &random))
                    bytes.insert(contentsOf: bytes[position..<end], at: position)
                default: bytes[position] = [0x0A, 0x0D, 0x3D, 0x3F, 0x2D, 0x22][Int.random(in: 0..<6, using: &random)]
                }
            }
            let start = clock.now
            let message = MIMEParser().parse(bytes)
            _ = (message.subject, message.from, message.to, message.text, message.html, message.attachments.map(\.filename))
            let elapsed = clock.now - start
            if elapsed > slowest { slowest = elapsed }
            #expect(message.root.leaves.reduce(0) { $0 + $1.body.count } <= bytes.count + 16)
            runs += 1
        }
        #expect(runs > 500, "only \(runs) runs")
        #expect(slowest < .seconds(1), "slowest parse \(slowest)")
    }
}
