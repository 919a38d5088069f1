import Foundation
import SwitchboardCore
import SwitchboardWeChat
import Testing

@Suite("WeChat configuration")
struct WeChatConfigurationTests {
    func read(_ values: [String: ConfigValue], env: [String: String] = [:]) -> (WeChatConfiguration?, [String]) {
        let problems = ConfigReader.Problems()
        let reader = ConfigReader(values, path: "channels[0]", problems: problems, environment: env)
        return (WeChatConfiguration(reading: reader), problems.all.map(\.description))
    }

    static let base: [String: ConfigValue] = [
        "id": "wx", "type": "wechat", "token": "env:T", "encodingAESKey": "env:K", "appID": "wx5c2e8f1a9b3d7e60",
    ]
    static let env = ["T": "SwitchboardPublicToken2026", "K": "kF8sQ2vLx4Tn7Wp1Zc9Rb3Hd6Jm0Ye5Ua2Gi8Ko4Nq7"]

    @Test("defaults: safe mode with a key, 64 KiB, 300 s, the public API host, no events open conversations")
    func defaults() throws {
        let (configuration, problems) = read(Self.base, env: Self.env)
        #expect(problems.isEmpty)
        let value = try #require(configuration)
        #expect(value.securityMode == .safe && value.maxBodyBytes == 65_536 && value.timestampTolerance == 300)
        #expect(value.apiBaseURL.absoluteString == "https://api.weixin.qq.com")
        #expect(value.conversationEvents.isEmpty && value.appSecret == nil && value.token == "SwitchboardPublicToken2026")
        let (plain, _) = read(["id": "wx", "type": "wechat", "token": "abc", "appID": "wx1"])
        #expect(plain?.securityMode == .plaintext)
    }

    @Test("every mistake is named with its key path", arguments: [
        (["token": "a!"], "channels[0].token: must be 3 to 32 letters and digits, as WeChat's server configuration requires"),
        (["encodingAESKey": "short"], "channels[0].encodingAESKey: must be the 43-character EncodingAESKey (letters, digits, + and /)"),
        (["appID": "wx 1"], "channels[0].appID: must be the account's AppID (letters and digits, e.g. wx5c2e8f1a9b3d7e60)"),
        (["securityMode": "strict"], "channels[0].securityMode: must be one of plaintext, compatible, safe; found 'strict'"),
        (["apiBaseURL": "ftp://x"], "channels[0].apiBaseURL: must be an http:// or https:// URL with a host, found 'ftp://x'"),
        (["conversationEvents": .list(["unsubscribe"])], "channels[0].conversationEvents: 'unsubscribe' cannot open a conversation; allowed: subscribe, SCAN, CLICK"),
        (["subscribeReply": ""], "channels[0].subscribeReply: must be 1 to 2048 bytes of text"),
        (["appSecret": "env:MISSING"], "channels[0].appSecret: environment variable MISSING is not set"),
        (["colour": "blue"], "channels[0].colour: is not a known key here"),
    ] as [([String: ConfigValue], String)])
    func mistakes(_ change: [String: ConfigValue], _ expected: String) {
        var values = Self.base
        values.merge(change) { _, new in new }
        let (configuration, problems) = read(values, env: Self.env)
        #expect(configuration == nil)
        #expect(problems.contains(expected), "\(problems)")
    }

    @Test("safe and compatible modes need a key; required keys are reported")
    func required() {
        let (configuration, problems) = read(["id": "wx", "type": "wechat", "securityMode": "safe"])
        #expect(configuration == nil)
        #expect(problems.contains("channels[0].token: is required"))
        #expect(problems.contains("channels[0].appID: is required"))
        #expect(problems.contains("channels[0].encodingAESKey: is required for securityMode safe"))
    }
}
