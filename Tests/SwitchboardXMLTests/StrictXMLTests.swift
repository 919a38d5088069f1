import Foundation
import SwitchboardXML
import Testing

@Suite("Strict XML reader")
struct StrictXMLTests {
    func parse(_ text: String) throws(XMLParseError) -> XMLElement {
        try StrictXML.parse(Array(text.utf8))
    }

    @Test func readsAWeChatPush() throws {
        let root = try parse(
            "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><CreateTime>1772415008</CreateTime>"
                + "<Content><![CDATA[你好 <b>&amp;</b> 5 > 3]]></Content></xml>")
        #expect(root.name == "xml")
        #expect(root.childText("ToUserName") == "gh_1")
        #expect(root.childText("CreateTime") == "1772415008")
        // CDATA is literal: &amp; stays &amp;.
        #expect(root.childText("Content") == "你好 <b>&amp;</b> 5 > 3")
    }

    @Test func decodesPredefinedAndCharacterReferencesOutsideCDATA() throws {
        let root = try parse("<a t='x &quot;y&apos;'>&lt;&gt;&amp;&#20320;&#x597D;&#x1F600;</a>")
        #expect(root.text == "<>&你好😀")
        #expect(root.attribute("t") == "x \"y'")
    }

    @Test func keepsDeclarationsCommentsAndProcessingInstructionsOut() throws {
        let root = try parse("\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c --><r><!-- inner --><?pi x?>t</r>\n<!-- after -->\n")
        #expect(root.name == "r")
        #expect(root.text == "t")
    }

    @Test func nestsAndRepeats() throws {
        let root = try parse("<cdr core-uuid=\"u1\"><variables><a>1</a><b>2</b></variables><x/><x></x></cdr>")
        #expect(root.attribute("core-uuid") == "u1")
        #expect(root.child("variables")?.children.map(\.name) == ["a", "b"])
        #expect(root.children.filter { $0.name == "x" }.count == 2)
    }

    @Test func normalizesLineEnds() throws {
        let root = try parse("<r>a\r\nb\rc<![CDATA[d\r\ne]]></r>")
        #expect(root.text == "a\nb\nc" + "d\ne")
    }

    /// Each of these must be refused as forbidden (the XXE / billion-laughs surface), never parsed.
    @Test(arguments: [
        "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
        "<?xml version=\"1.0\"?><!DOCTYPE r SYSTEM \"http://127.0.0.1/evil.dtd\"><r/>",
        "<!doctype r><r/>",
        "<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://127.0.0.1/p\"> %p;]><r/>",
        "<r><!DOCTYPE r></r>",
        "<r/><!DOCTYPE r>",
        "<!ENTITY x \"y\"><r/>",
        "<r>&lol9;</r>",
        "<r a=\"&x;\"/>",
        "<r><![CDATA[ok]]>&custom;</r>",
    ])
    func refusesDeclarationsAndEntities(_ document: String) {
        #expect {
            try parse(document)
        } throws: { error in
            (error as? XMLParseError)?.isForbidden == true
        }
    }

    @Test(arguments: [
        "", "   ", "text", "<r>", "<r></s>", "<r><a></r></a>", "<r a=b/>", "<r a=\"1\" a=\"2\"/>", "<r a=\"1\"b=\"2\"/>",
        "<r>&amp</r>", "<r>& x</r>", "<r>&#0;</r>", "<r>&#xD800;</r>", "<r>&#x110000;</r>", "<r/><s/>", "<r/>tail",
        "<r><![CDATA[open</r>", "<r><!-- open</r>", "<r>a\u{0}b</r>", "<1r/>", "<r a=\"<\"/>", "<r/ >",
    ])
    func refusesMalformedDocuments(_ document: String) {
        #expect {
            try parse(document)
        } throws: { error in
            guard let error = error as? XMLParseError else { return false }
            return !error.isForbidden
        }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: XMLParseError.self) { try StrictXML.parse([0x3C, 0x72, 0x3E, 0xFF, 0xFE, 0x3C, 0x2F, 0x72, 0x3E]) }
    }

    @Test func boundsDepthAndElementCount() throws {
        let deep = String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
        #expect { try parse(deep) } throws: { ($0 as? XMLParseError)?.isTooComplex == true }
        let wide = "<r>" + String(repeating: "<a/>", count: 20_000) + "</r>"
        #expect { try parse(wide) } throws: { ($0 as? XMLParseError)?.isTooComplex == true }
        let limited = try StrictXML.parse(Array(("<r>" + String(repeating: "<a/>", count: 5) + "</r>").utf8), limits: XMLLimits(maxElements: 6))
        #expect(limited.children.count == 5)
    }

    /// Seeded mutations of a valid push: every one is either parsed or refused with an error —
    /// never a crash or a hang — and the same bytes give the same answer twice.
    @Test func mutatedDocumentsAreParsedOrRefused() {
        let seed = Array(
            ("<xml><ToUserName><![CDATA[gh_3f2a1b0c9d8e]]></ToUserName><CreateTime>1772415008</CreateTime>"
                + "<Content><![CDATA[你好]]></Content><Note a=\"1\">x &amp; y</Note></xml>").utf8)
        var generator = LinearCongruential(seed: 20_261_202)
        let alphabet = Array("<>&;![]/=\"'?-CDATA#x\u{0}".utf8) + [0xC3, 0xFF]
        for _ in 0..<3_000 {
            var bytes = seed
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[position] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: position)
                }
                if bytes.isEmpty { bytes = [0x3C] }
            }
            let first = Result { try StrictXML.parse(bytes) }
            let second = Result { try StrictXML.parse(bytes) }
            switch (first, second) {
            case (.success(let a), .success(let b)): #expect(a == b)
            case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)")
            default: Issue.record("the same bytes gave different answers")
            }
        }
    }
}

/// A small deterministic generator so a failing mutation can be replayed.
struct LinearCongruential {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }
}
