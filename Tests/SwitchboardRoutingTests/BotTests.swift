import Foundation
import SwitchboardCore
import Testing

@testable import SwitchboardRouting

@Suite("Knowledge-base bot")
struct BotTests {
    @Test("Chinese runs become overlapping bigrams; Latin words stay words, lower-cased")
    func tokens() {
        #expect(SearchText.tokens("我要退款") == ["我要", "要退", "退款"])
        #expect(SearchText.tokens("Refund 退款, please!") == ["refund", "退款", "please"])
        #expect(SearchText.tokens("订单123号") == ["订单", "123", "号"])
        #expect(SearchText.tokens("カード") == ["カー", "ード"])
        #expect(SearchText.tokens("  ...  ").isEmpty)
    }

    @Test("asking for a person: CJK phrases anywhere, Latin phrases as whole words")
    func handoverPhrases() {
        let bot = KnowledgeBot()
        #expect(bot.asksForPerson("我要转人工"))
        #expect(bot.asksForPerson("人工服务"))
        #expect(bot.asksForPerson("Can I talk to a HUMAN please?"))
        #expect(bot.asksForPerson("agent!"))
        #expect(!bot.asksForPerson("what is on the agenda"))
        #expect(!bot.asksForPerson("humanity is great"))
        #expect(!bot.asksForPerson("我想退款"))
    }

    @Test("a keyword match wins; otherwise the share of the message's tokens decides, against the threshold")
    func answers() {
        let date = Date(timeIntervalSince1970: 0)
        let refund = KnowledgeArticle(id: "refund", title: "退款政策", body: "退款将在7个工作日内原路退回。", keywords: ["退款"], updatedAt: date)
        let shipping = KnowledgeArticle(
            id: "shipping", title: "Shipping times", body: "Orders ship within two business days.", updatedAt: date)
        let bot = KnowledgeBot()
        #expect(bot.answer("我想申请退款", candidates: [shipping, refund])?.article.id == "refund")
        #expect(bot.answer("how long does shipping take", candidates: [refund, shipping])?.article.id == "shipping")
        #expect(bot.answer("do you sell gift cards", candidates: [refund, shipping]) == nil)
        var strict = KnowledgeBot.Settings()
        strict.threshold = 0.9
        #expect(KnowledgeBot(settings: strict).answer("how long does shipping take", candidates: [shipping]) == nil)
        #expect(bot.answer("", candidates: [refund]) == nil)
    }
}

@Suite("Routing rules")
struct RuleBookTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)  // Wednesday 2026-11-18 11:06 UTC

    static func context(
        text: String = "hello", attributes: RoutingAttributes = RoutingAttributes(), vip: Int = 0,
        customer: [String: String] = [:], channel: String = "web", kind: String = "webchat"
    ) -> RoutingContext {
        RoutingContext(
            conversationID: ConversationID("c1"), customerID: CustomerID("k1"), channelID: channel, channelKind: kind,
            status: .queued, firstMessageText: text, attributes: attributes, customerVIPLevel: vip,
            customerAttributes: customer, returningAgent: AgentID("ret"), badlyRated: [AgentID("bad")], routed: false)
    }

    static func book(_ when: RuleConditions, then: RuleActions = RuleActions(group: GroupID("matched"))) throws -> RuleBook {
        try RuleBook([
            RoutingRule(name: "rule", when: when, then: then),
            RoutingRule(name: "default", then: RuleActions(group: GroupID("general"))),
        ])
    }

    static func group(_ when: RuleConditions, _ context: RoutingContext) throws -> String? {
        try book(when).request(for: context, at: now)?.group.rawValue
    }

    @Test("who: VIP level range and customer attributes")
    func who() throws {
        let vip = RuleConditions(vipLevel: LevelRange(min: 5))
        #expect(try Self.group(vip, Self.context(vip: 6)) == "matched")
        #expect(try Self.group(vip, Self.context(vip: 4)) == "general")
        #expect(try Self.group(vip, Self.context(attributes: RoutingAttributes(vipLevel: 9), vip: 0)) == "matched")
        let gold = RuleConditions(customer: ["tier": ["gold", "platinum"]])
        #expect(try Self.group(gold, Self.context(customer: ["tier": "Gold"])) == "matched")
        #expect(try Self.group(gold, Self.context(customer: ["tier": "silver"])) == "general")
        #expect(try Self.group(gold, Self.context()) == "general")
    }

    @Test("what: keywords in the first message and business type")
    func what() throws {
        let keywords = RuleConditions(keywords: ["退款", "refund"])
        #expect(try Self.group(keywords, Self.context(text: "我要退款")) == "matched")
        #expect(try Self.group(keywords, Self.context(text: "REFUND please")) == "matched")
        #expect(try Self.group(keywords, Self.context(text: "hello")) == "general")
        let business = RuleConditions(businessTypes: ["after-sales"])
        #expect(try Self.group(business, Self.context(attributes: RoutingAttributes(extra: ["businessType": "after-sales"]))) == "matched")
        #expect(try Self.group(business, Self.context(customer: ["businessType": "after-sales"])) == "matched")
        #expect(try Self.group(business, Self.context()) == "general")
    }

    @Test("when: inside and outside business hours")
    func when() throws {
        let hours = BusinessHours(timezone: "Asia/Shanghai", weekly: [.init(days: [.wed], start: "09:00", end: "20:00")])
        // 11:06 UTC is 19:06 in Shanghai (open) and 06:06 in New York (closed).
        #expect(try Self.group(RuleConditions(hours: hours), Self.context()) == "matched")
        #expect(try Self.group(RuleConditions(outsideHours: hours), Self.context()) == "general")
        let night = BusinessHours(timezone: "America/New_York", weekly: [.init(days: [.wed], start: "09:00", end: "18:00")])
        #expect(try Self.group(RuleConditions(outsideHours: night), Self.context()) == "matched")
    }

    @Test("where: region from the channel, else the customer's region or province")
    func whereRegion() throws {
        let south = RuleConditions(regions: ["Guangdong", "广东"])
        #expect(try Self.group(south, Self.context(attributes: RoutingAttributes(region: "guangdong"))) == "matched")
        #expect(try Self.group(south, Self.context(customer: ["province": "广东"])) == "matched")
        #expect(try Self.group(south, Self.context(customer: ["region": "Beijing"])) == "general")
    }

    @Test("how: channel, channel kind, source page prefix and search keyword")
    func how() throws {
        #expect(try Self.group(RuleConditions(channels: ["wechat-main"]), Self.context(channel: "wechat-main")) == "matched")
        #expect(try Self.group(RuleConditions(channels: ["wechat-main"]), Self.context()) == "general")
        #expect(try Self.group(RuleConditions(channelKinds: ["email"]), Self.context(kind: "email")) == "matched")
        let page = RuleConditions(pages: ["https://shop.example/pricing"])
        #expect(try Self.group(page, Self.context(attributes: RoutingAttributes(sourcePage: "https://shop.example/pricing?x=1"))) == "matched")
        #expect(try Self.group(page, Self.context(attributes: RoutingAttributes(sourcePage: "https://shop.example/"))) == "general")
        let search = RuleConditions(searchKeywords: ["coupon"])
        #expect(try Self.group(search, Self.context(attributes: RoutingAttributes(keyword: "summer coupon codes"))) == "matched")
    }

    @Test("all conditions of a rule must hold; first match wins; actions make the request")
    func combination() throws {
        let rules = try RuleBook([
            RoutingRule(
                name: "vip-refunds", when: RuleConditions(vipLevel: LevelRange(min: 5), keywords: ["refund"]),
                then: RuleActions(group: GroupID("vip"), priority: 9, skill: "refunds", reception: .humanFirst)),
            RoutingRule(name: "refunds", when: RuleConditions(keywords: ["refund"]), then: RuleActions(group: GroupID("refunds"), vipSource: .attribute)),
            RoutingRule(name: "default", then: RuleActions(group: GroupID("general"))),
        ])
        let vip = try #require(rules.request(for: Self.context(text: "refund", vip: 7), at: Self.now))
        #expect(vip.group == GroupID("vip") && vip.level == 9 && vip.requiredSkill == "refunds" && vip.rule == "vip-refunds")
        #expect(vip.reception == .humanFirst)
        #expect(vip.returningAgent == AgentID("ret") && vip.badlyRated == [AgentID("bad")])
        let plain = try #require(
            rules.request(for: Self.context(text: "refund", attributes: RoutingAttributes(vipLevel: 8), vip: 2), at: Self.now))
        #expect(plain.group == GroupID("vip"), "parameter-then-attribute: the URL's level 8 counts for the first rule")
        let attribute = try #require(rules.request(for: Self.context(text: "refund", vip: 3), at: Self.now))
        #expect(attribute.group == GroupID("refunds") && attribute.level == 3 && attribute.reception == .humanOnly)
        #expect(try #require(rules.request(for: Self.context(), at: Self.now)).group == GroupID("general"))
    }

    @Test("a rule list must end with exactly one default rule, with unique names")
    func validation() {
        let general = RuleActions(group: GroupID("general"))
        #expect(throws: ValidationError.self) { try RuleBook([]) }
        #expect(throws: ValidationError(field: "rules[0]", reason: "must be the default rule (no `when`), so every conversation is routed")) {
            try RuleBook([RoutingRule(name: "a", when: RuleConditions(channels: ["web"]), then: general)])
        }
        #expect(throws: ValidationError.self) {
            try RuleBook([RoutingRule(name: "a", then: general), RoutingRule(name: "b", then: general)])
        }
        #expect(throws: ValidationError(field: "rules[1].name", reason: "repeats the rule name 'a'")) {
            try RuleBook([RoutingRule(name: "a", when: RuleConditions(channels: ["x"]), then: general), RoutingRule(name: "a", then: general)])
        }
        #expect(throws: ValidationError(field: "rules[0].when.vipLevel.max", reason: "must be a level 0-10")) {
            try RuleBook([
                RoutingRule(name: "a", when: RuleConditions(vipLevel: LevelRange(max: 11)), then: general),
                RoutingRule(name: "d", then: general),
            ])
        }
    }
}
