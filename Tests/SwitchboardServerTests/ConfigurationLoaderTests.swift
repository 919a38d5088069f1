import Foundation
import Metrics
import SwitchboardCore
import SwitchboardServer
import SwitchboardTesting
import SwitchboardWebChat
import Testing

@Suite("Configuration loading")
struct ConfigurationLoaderTests {
    @Test("no file: defaults, environment overrides and the default web channel")
    func bootstrap() throws {
        let loader = ConfigurationLoader(environment: [
            "SWITCHBOARD_PORT": "9090", "SWITCHBOARD_DATA_DIR": "/tmp/sb", "SWITCHBOARD_ADMIN_TOKEN": "admin-token-0123456789",
            "SWITCHBOARD_WEBCHAT_SECRET": "secret-0123456789abcdef",
        ])
        let (configuration, problems) = loader.load(path: nil)
        #expect(problems.isEmpty)
        #expect(configuration.server.host == "127.0.0.1")
        #expect(configuration.server.port == 9090)
        #expect(configuration.storage.dataDirectory == "/tmp/sb")
        #expect(configuration.storage.synchronous == "full")
        #expect(configuration.adminToken == "admin-token-0123456789")
        #expect(configuration.channels.map(\.id) == ["web"])
        #expect(configuration.channels.first?.values["secret"] == .string("env:SWITCHBOARD_WEBCHAT_SECRET"))
    }

    @Test("no file and no web chat secret: no channel, default port 8080")
    func bare() {
        let (configuration, problems) = ConfigurationLoader(environment: [:]).load(path: nil)
        #expect(problems.isEmpty && configuration.channels.isEmpty && configuration.server.port == 8080)
        #expect(configuration.storage.dataDirectory == "./data")
    }

    @Test("the shipped example configuration is valid")
    func example() async throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/switchboard.yaml").path
        let environment = [
            "SWITCHBOARD_WEBCHAT_SECRET": "secret-0123456789abcdef", "SWITCHBOARD_ADMIN_TOKEN": "admin-token-0123456789",
        ]
        let (configuration, problems) = ConfigurationLoader(environment: environment).load(path: path)
        #expect(problems.isEmpty, "\(problems)")
        let (adapters, adapterProblems) = Gateway.buildAdapters(
            configuration.channels, factories: [WebChatAdapterFactory()],
            environment: ChannelEnvironment(sink: RecordingSinkStandIn(), logger: .init(label: "t"), metricsFactory: NOOPMetricsHandler.instance),
            processEnvironment: environment)
        #expect(adapterProblems.isEmpty, "\(adapterProblems)")
        #expect(!adapters.isEmpty)
        for adapter in adapters { await adapter.shutdown() }
    }

    @Test("every problem in a file is reported with its key path")
    func problems() throws {
        let path = try Fixtures.temporaryFile(
            """
            server:
              port: 99999
              colour: blue
            storage:
              synchronous: sometimes
            ingest:
              maxBatchSize: 0
            channels:
              - id: web
                type: webchat
                secret: env:NOT_SET_ANYWHERE
              - id: Bad Id
                type: webchat
                secret: 0123456789abcdef0
              - id: web
                type: webchat
                secret: 0123456789abcdef0
              - id: pager
                type: carrier-pigeon
              - type: webchat
            """)
        let (configuration, problems) = ConfigurationLoader(environment: [:]).load(path: path)
        let (_, adapterProblems) = Gateway.buildAdapters(
            configuration.channels, factories: [WebChatAdapterFactory()],
            environment: ChannelEnvironment(sink: RecordingSinkStandIn(), logger: .init(label: "t"), metricsFactory: NOOPMetricsHandler.instance),
            processEnvironment: [:])
        let paths = Set((problems + adapterProblems).map(\.path))
        for expected in [
            "server.port", "server.colour", "storage.synchronous", "ingest.maxBatchSize", "channels[0].secret",
            "channels[1].id", "channels[2].id", "channels[3].type", "channels[4].id",
        ] {
            #expect(paths.contains(expected), "missing a problem at \(expected): \(paths.sorted())")
        }
    }

    @Test("broken YAML is a problem, not a crash")
    func brokenYAML() throws {
        let path = try Fixtures.temporaryFile("server: [unclosed\n  : :")
        let (_, problems) = ConfigurationLoader(environment: [:]).load(path: path)
        #expect(problems.count == 1 && problems[0].message.contains("YAML"))
    }
}
