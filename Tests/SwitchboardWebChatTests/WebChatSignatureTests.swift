import Foundation
import SwitchboardWebChat
import Testing

@Suite("Web chat signature")
struct WebChatSignatureTests {
    let signature = WebChatSignature(secret: "whsec_test")
    let body = Data(#"{"id":"1"}"#.utf8)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("matches an independent HMAC-SHA256 of \"<timestamp>.<body>\"")
    func knownVector() {
        // printf '1800000000.{"id":"1"}' | openssl dgst -sha256 -hmac whsec_test
        #expect(
            signature.sign(body: body, timestamp: 1_800_000_000)
                == "sha256=15d2177989c694fad512568783fd1e0c20e1c480f7ab63182bf13486b475c540")
    }

    @Test("accepts within ±300 s, refuses outside, symmetric")
    func window() {
        for offset in [-300, 0, 300] {
            let timestamp = 1_800_000_000 + offset
            #expect(signature.verify(body: body, timestamp: String(timestamp), signature: signature.sign(body: body, timestamp: timestamp), now: now) == nil)
        }
        for offset in [-301, 301, -86_400] {
            let timestamp = 1_800_000_000 + offset
            #expect(
                signature.verify(body: body, timestamp: String(timestamp), signature: signature.sign(body: body, timestamp: timestamp), now: now)
                    == .staleTimestamp)
        }
    }

    @Test("every malformed header gets its own reason")
    func reasons() {
        let good = signature.sign(body: body, timestamp: 1_800_000_000)
        #expect(signature.verify(body: body, timestamp: nil, signature: good, now: now) == .missingTimestamp)
        #expect(signature.verify(body: body, timestamp: "yesterday", signature: good, now: now) == .malformedTimestamp)
        #expect(signature.verify(body: body, timestamp: "1800000000", signature: nil, now: now) == .missingSignature)
        #expect(signature.verify(body: body, timestamp: "1800000000", signature: "md5=abc", now: now) == .malformedSignature)
        #expect(signature.verify(body: body, timestamp: "1800000000", signature: "sha256=zz", now: now) == .malformedSignature)
        #expect(signature.verify(body: body + Data(" ".utf8), timestamp: "1800000000", signature: good, now: now) == .badSignature)
        #expect(signature.verify(body: body, timestamp: "1800000001", signature: good, now: now) == .badSignature)
        let other = WebChatSignature(secret: "another secret")
        #expect(other.verify(body: body, timestamp: "1800000000", signature: good, now: now) == .badSignature)
        #expect(signature.verify(body: body, timestamp: "1800000000", signature: good.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="), now: now) == nil)
    }
}
