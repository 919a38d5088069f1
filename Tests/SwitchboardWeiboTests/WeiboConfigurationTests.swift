import Foundation
import SwitchboardCore
import SwitchboardWeibo
import Testing

@Suite("Weibo configuration")
struct WeiboConfigurationTests {
    func read(_ values: [String: ConfigValue], env: [String: String] = [:]) -> (WeiboConfiguration?, [String]) {
        let problems = ConfigReader.Problems()
        let reader = ConfigReader(values, path: "channels[1]", problems: problems, environment: env)
        return (WeiboConfiguration(reading: reader), problems.all.map(\.description))
    }

    @Test("defaults, and secrets from the environment")
    func defaults() throws {
        let (configuration, problems) = read(
            ["id": "wb", "type": "weibo", "appKey": "3165728831", "appSecret": "env:S", "accessToken": "env:A"],
            env: ["S": "0123456789abcdef", "A": "2.00token"])
        #expect(problems.isEmpty)
        let value = try #require(configuration)
        #expect(value.appSecret == "0123456789abcdef" && value.accessToken == "2.00token")
        #expect(value.apiBaseURL.absoluteString == "https://m.api.weibo.com" && value.maxBodyBytes == 65_536)
    }

    @Test("every mistake is named with its key path")
    func mistakes() {
        let (configuration, problems) = read([
            "id": "wb", "type": "weibo", "appKey": "a b", "appSecret": "short", "apiBaseURL": "nope", "maxBodyBytes": .int(10),
            "conversationEvents": .list(["unfollow"]), "colour": "blue",
        ])
        #expect(configuration == nil)
        #expect(problems.contains("channels[1].appKey: must be the application's AppKey (letters and digits)"))
        #expect(problems.contains("channels[1].appSecret: must be the application's AppSecret (at least 8 characters)"))
        #expect(problems.contains("channels[1].apiBaseURL: must be an http:// or https:// URL with a host, found 'nope'"))
        #expect(problems.contains { $0.hasPrefix("channels[1].maxBodyBytes:") })
        #expect(problems.contains(
            "channels[1].conversationEvents: 'unfollow' cannot open a conversation; allowed: subscribe, follow, scan, scan_follow, click"))
        #expect(problems.contains("channels[1].colour: is not a known key here"))
        let (_, missing) = read(["id": "wb", "type": "weibo"])
        #expect(missing == ["channels[1].appKey: is required", "channels[1].appSecret: is required"])
    }
}
