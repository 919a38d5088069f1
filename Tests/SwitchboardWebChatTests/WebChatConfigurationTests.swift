import Foundation
import SwitchboardCore
import SwitchboardWebChat
import Testing

@Suite("Web chat configuration")
struct WebChatConfigurationTests {
    func read(_ values: [String: ConfigValue], env: [String: String] = [:]) -> (WebChatConfiguration?, [String]) {
        let problems = ConfigReader.Problems()
        let reader = ConfigReader(values, path: "channels[0]", problems: problems, environment: env)
        return (WebChatConfiguration(reading: reader), problems.all.map(\.description))
    }

    @Test("defaults: 1 MiB body limit, 300 s tolerance, no callback")
    func defaults() throws {
        let (configuration, problems) = read(["id": "web", "type": "webchat", "secret": "env:S"], env: ["S": "0123456789abcdef"])
        #expect(problems.isEmpty)
        let value = try #require(configuration)
        #expect(value.maxBodyBytes == 1_048_576 && value.timestampTolerance == 300 && value.callbackURL == nil)
        #expect(value.secret == "0123456789abcdef")
        #expect(!value.allowPrivateCallbackAddresses)
    }

    @Test("every problem is named with its key path")
    func problems() {
        let (configuration, problems) = read([
            "id": "web", "type": "webchat", "secret": "short", "callbackURL": "ftp://x", "maxBodyBytes": .int(1),
            "timestampToleranceSeconds": "soon", "colour": "blue",
        ])
        #expect(configuration == nil)
        #expect(problems.contains("channels[0].secret: must be at least 16 bytes long"))
        #expect(problems.contains { $0.hasPrefix("channels[0].callbackURL:") })
        #expect(problems.contains { $0.hasPrefix("channels[0].maxBodyBytes:") })
        #expect(problems.contains { $0.hasPrefix("channels[0].timestampToleranceSeconds:") })
        #expect(problems.contains("channels[0].colour: is not a known key here"))
    }

    @Test("a missing secret is reported")
    func missingSecret() {
        let (configuration, problems) = read(["id": "web", "type": "webchat"])
        #expect(configuration == nil)
        #expect(problems == ["channels[0].secret: is required"])
    }
}

