import Foundation
import Metrics
import SwitchboardCore
import SwitchboardServer
import SwitchboardTesting
import SwitchboardTickets
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

    @Test("the routing section: rules, groups and agents decode; every problem has its key path")
    func routing() throws {
        let good = try Fixtures.temporaryFile(
            """
            routing:
              timezone: Asia/Shanghai
              agents:
                - {id: alice, name: Alice, capacity: 3, skills: {refunds: 4}}
              groups:
                - {id: general, name: General, members: [alice], strategy: skill}
              rules:
                - {name: cn, when: {regions: 广东, keywords: [退款]}, then: {group: general, reception: bot-first, priority: 3}}
                - {name: default, then: {group: general}}
              bot: {handoverPhrases: [人工, human], thresholdPercent: 70}
            """)
        let (configuration, problems) = ConfigurationLoader(environment: [:]).load(path: good)
        #expect(problems.isEmpty, "\(problems)")
        #expect(configuration.routing.timeZone == "Asia/Shanghai")
        #expect(configuration.routing.agents.first?.skills == ["refunds": 4])
        #expect(configuration.routing.groups.first?.strategy == .skill)
        #expect(configuration.routing.rules?.first?.when.regions == ["广东"])
        #expect(configuration.routing.rules?.first?.then.reception == .botFirst)
        #expect(configuration.routing.bot.threshold == 0.7)

        let bad = try Fixtures.temporaryFile(
            """
            routing:
              timezone: Mars/Base
              agents:
                - {id: alice, name: Alice, capacity: 5000}
              groups:
                - {id: general, name: General, members: [alice, ghost], strategy: random}
                - {id: vip, name: VIP, overflowGroup: nowhere, maxWaitSeconds: 60}
              rules:
                - {name: vip, when: {vipLevel: {min: 12}, colour: red}, then: {group: vip}}
                - {name: catchall, when: {channels: [web]}, then: {group: missing}}
              bot: {thresholdPercent: 0}
            """)
        let paths = ConfigurationLoader(environment: [:]).load(path: bad).1.map(\.path)
        #expect(paths.contains("routing.timezone"))
        #expect(paths.contains("routing.agents[0].capacity"))
        #expect(paths.contains("routing.groups[0].strategy"), "\(paths)")
        #expect(paths.contains("routing.groups[1].overflowGroup"), "\(paths)")
        #expect(paths.contains("routing.rules[0].when.colour"), "\(paths)")
        #expect(paths.contains("routing.bot.thresholdPercent"), "\(paths)")
    }

    @Test("rules must end with a default rule and name known groups")
    func routingRules() throws {
        let path = try Fixtures.temporaryFile(
            """
            routing:
              groups: [{id: general, name: General}]
              rules:
                - {name: vip, when: {vipLevel: {min: 12}}, then: {group: general}}
                - {name: web, when: {channels: [web]}, then: {group: missing}}
            """)
        let problems = ConfigurationLoader(environment: [:]).load(path: path).1
        let paths = problems.map(\.path)
        #expect(paths.contains("routing.rules[0].when.vipLevel.min"), "\(problems)")
        #expect(paths.contains("routing.rules[1].then.group"), "\(problems)")
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

    @Test("the tickets section: types, rules, policies, calendars, groups and webhook decode; mistakes name their key")
    func tickets() throws {
        let good = try Fixtures.temporaryFile(
            """
            routing:
              groups:
                - {id: support, name: Support, businessHours: {timezone: Asia/Shanghai, weekly: [{days: [mon], start: "09:00", end: "12:00"}]}}
            tickets:
              calendars:
                office: {timezone: Europe/Berlin, weekly: [{days: [mon, tue], start: "08:00", end: "16:00"}]}
              slaPolicies:
                - {name: std, calendar: office, targets: [{priority: P1, firstResponseMinutes: 15}, {resolutionMinutes: 600}]}
                - {name: desk, calendar: support, targets: [{resolutionMinutes: 60}]}
              defaultSlaPolicy: std
              groups: [{group: support, assignment: pickup, lead: ann}]
              reopenWindowDays: 3
              types:
                - {name: refund, defaultPriority: P2, fields: [{name: order, kind: text, required: true}]}
              rules:
                - {name: refunds, on: contact, when: {keywords: [refund]}, then: {type: refund}}
              defaultRules: false
              webhook: {url: "https://ops.example.com/sla", secret: env:HOOK_SECRET}
            """)
        let (configuration, problems) = ConfigurationLoader(environment: ["HOOK_SECRET": "s3cret-0123456789"]).load(path: good)
        #expect(problems.isEmpty, "\(problems)")
        let tickets = configuration.tickets
        #expect(tickets.calendars["office"]?.timezone == "Europe/Berlin" && tickets.slaPolicies.first?.targets.count == 2)
        #expect(tickets.groups.first?.assignment == .pickup && tickets.reopenWindowDays == 3 && !tickets.defaultRules)
        #expect(tickets.types?.first?.fields.first?.required == true && tickets.rules?.first?.on == .contact)
        #expect(tickets.webhookURL == "https://ops.example.com/sla" && tickets.webhookSecret == "s3cret-0123456789")
        let settings = Gateway.ticketSettings(tickets)
        #expect(settings.rules.map(\.name) == ["refunds"] && settings.reopenWindow == 3 * 86_400 && settings.webhook)
        // The routing group's business hours serve as the SLA calendar of the same name.
        #expect(tickets.calendars["support"]?.timezone == "Asia/Shanghai")
        #expect(settings.calendars["support"]?.hours.timezone == "Asia/Shanghai")

        let bad = try Fixtures.temporaryFile(
            """
            tickets:
              calendars:
                broken: {timezone: Nowhere/City, weekly: []}
              slaPolicies:
                - {name: std, calendar: missing, targets: [{priority: P1}]}
                - {name: slow, warningPercent: 150, targets: [{firstResponseMinutes: 0}]}
              defaultSlaPolicy: nope
              types:
                - {name: refund, slaPolicy: ghost, fields: [{name: reason, kind: choice}]}
              rules:
                - {name: x, then: {type: unknown}}
              webhook: {url: "ftp://example.com"}
              colour: blue
            """)
        let paths = Set(ConfigurationLoader(environment: [:]).load(path: bad).1.map(\.path))
        for expected in [
            "tickets.calendars.broken", "tickets.slaPolicies[0].calendar", "tickets.slaPolicies[1].warningPercent",
            "tickets.defaultSlaPolicy", "tickets.types[0].slaPolicy", "tickets.types[0].fields[0].choices",
            "tickets.rules[0].then.type", "tickets.webhook.url", "tickets.webhook.secret", "tickets.colour",
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
