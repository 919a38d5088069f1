import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing

@Suite("Model validation")
struct ModelValidationTests {
    @Test("channel ids accept the URL- and label-safe alphabet only", arguments: [
        ("web", true), ("support-mailbox", true), ("wechat_main2", true), ("0day", true),
        ("", false), ("Web", false), ("-web", false), ("a/b", false), ("a b", false), ("渠道", false),
        (String(repeating: "a", count: 65), false), (String(repeating: "a", count: 64), true),
    ])
    func channelIDs(text: String, valid: Bool) throws {
        #expect(ChannelID.isValid(text) == valid)
        if valid {
            #expect(try ChannelID(validating: text).rawValue == text)
        } else {
            #expect(throws: ValidationError.self) { try ChannelID(validating: text) }
        }
    }

    @Test("email handles are trimmed and lower-cased")
    func emailHandles() throws {
        #expect(try Handle.email("  Alice@Example.COM ").value == "alice@example.com")
        #expect(throws: ValidationError.self) { try Handle.email("not-an-address") }
        #expect(throws: ValidationError.self) { try Handle.email("a b@example.com") }
        #expect(throws: ValidationError.self) { try Handle.email("@example.com") }
    }

    @Test("phone handles are E.164 and never guessed")
    func phoneHandles() throws {
        #expect(try Handle.phone("+86 138-0013-8000").value == "+8613800138000")
        #expect(try Handle.phone("0044 (20) 7946.0958").value == "+442079460958")
        #expect(throws: ValidationError.self) { try Handle.phone("13800138000") }
        #expect(throws: ValidationError.self) { try Handle.phone("+86abc") }
        #expect(throws: ValidationError.self) { try Handle.phone("+12") }
    }

    @Test("web chat visitor handles are scoped by channel")
    func visitorHandles() {
        let a = Handle.webchatVisitor(channel: ChannelID(rawValue: "shop-a"), visitorID: "v1")
        let b = Handle.webchatVisitor(channel: ChannelID(rawValue: "shop-b"), visitorID: "v1")
        #expect(a != b)
        #expect(a.kind == "webchat" && a.value == "shop-a/v1")
    }

    @Test("a valid contact passes")
    func validContact() throws {
        try Fixtures.contact().validate()
        try Fixtures.contact(text: nil, attachments: [InboundAttachment(name: "a.png", contentType: "image/png", data: Data([1]))]).validate()
    }

    @Test("invalid contacts name the field", arguments: [
        ("id", Fixtures.contact(externalID: "")),
        ("id", Fixtures.contact(externalID: String(repeating: "x", count: 256))),
        ("id", Fixtures.contact(externalID: "a\nb")),
        ("text", Fixtures.contact(text: nil)),
        ("text", Fixtures.contact(text: "")),
        ("vipLevel", Fixtures.contact(routing: RoutingAttributes(vipLevel: 11))),
        ("vipLevel", Fixtures.contact(routing: RoutingAttributes(vipLevel: -1))),
        ("attachments[0].data", Fixtures.contact(attachments: [InboundAttachment(name: "x", contentType: "a/b", data: Data())])),
        ("attributes.k", Fixtures.contact(attributes: ["k": String(repeating: "v", count: 5000)])),
        ("name", Fixtures.contact(name: "a\u{0}b")),
    ])
    func invalidContacts(field: String, contact: InboundContact) {
        #expect {
            try contact.validate()
        } throws: { error in
            (error as? ValidationError)?.field == field
        }
    }

    @Test("ratings must be 1-5")
    func ratingScores() throws {
        try Fixtures.rating(conversation: ConversationID("c"), score: 1).validate()
        try Fixtures.rating(conversation: ConversationID("c"), score: 5).validate()
        #expect(throws: ValidationError.self) { try Fixtures.rating(conversation: ConversationID("c"), score: 0).validate() }
        #expect(throws: ValidationError.self) { try Fixtures.rating(conversation: ConversationID("c"), score: 6).validate() }
    }

    @Test("message parts round-trip through JSON, unknown types survive")
    func messageParts() throws {
        let parts: [MessagePart] = [
            .location(latitude: 31.23, longitude: 121.47, label: "Shanghai"), .link(LinkCard(url: "https://example.com")),
            .link(LinkCard(url: "https://e.example/r", title: "退货", description: "七天无理由", imageURL: "https://e.example/p.jpg")),
            .event(name: "subscribe", fields: ["k": "v"]),
            .image(Attachment(sha256: String(repeating: "a", count: 64), size: 3, name: "i.png", contentType: "image/png")),
        ]
        let decoded = try JSONDecoder().decode([MessagePart].self, from: JSONEncoder().encode(parts))
        #expect(decoded == parts)
        let future = try JSONDecoder().decode([MessagePart].self, from: Data(#"[{"type":"sticker","id":"9"}]"#.utf8))
        #expect(future == [.unknown(type: "sticker")])
        // Link parts stored before cards had a description or picture still read.
        let stored = try JSONDecoder().decode([MessagePart].self, from: Data(#"[{"type":"link","url":"https://e.example","title":"T"}]"#.utf8))
        #expect(stored == [.link(LinkCard(url: "https://e.example", title: "T"))])
    }
}

@Suite("Identifiers")
struct IdentifierTests {
    @Test("generated ids are version 7 UUIDs that sort by creation time")
    func timeOrdered() throws {
        let early = timeOrderedUUID(now: Date(timeIntervalSince1970: 1_700_000_000))
        let late = timeOrderedUUID(now: Date(timeIntervalSince1970: 1_700_000_001))
        #expect(early.uuidString.lowercased() < late.uuidString.lowercased())
        let text = early.uuidString.lowercased()
        #expect(Array(text)[14] == "7", "version nibble")
        #expect(["8", "9", "a", "b"].contains(Array(text)[19]), "RFC 9562 variant")
        #expect(text.hasPrefix("018bcfe5-6800"), "48-bit millisecond timestamp first: \(text)")
        let many = (0..<1000).map { _ in CustomerID.generate().rawValue }
        #expect(Set(many).count == 1000)
    }

    @Test("ids as text: the UUID's own lower-case form, and ordered within a millisecond too")
    func text() throws {
        for _ in 0..<1000 {
            let id = timeOrderedID()
            let parsed = try #require(UUID(uuidString: id), "\(id) is a UUID")
            #expect(parsed.uuidString.lowercased() == id)
            #expect(id.count == 36 && id.allSatisfy { "0123456789abcdef-".contains($0) })
            #expect(Array(id)[14] == "7" && ["8", "9", "a", "b"].contains(Array(id)[19]))
        }
        // 0.25 ms apart inside one millisecond: the sub-millisecond bits keep them in order.
        let first = timeOrderedID(now: Date(timeIntervalSince1970: 1_700_000_000.0001))
        let second = timeOrderedID(now: Date(timeIntervalSince1970: 1_700_000_000.00035))
        #expect(first.prefix(13) == second.prefix(13), "same millisecond")
        #expect(first < second)
        #expect(MessageID.generate().rawValue.count == 36)
    }
}
