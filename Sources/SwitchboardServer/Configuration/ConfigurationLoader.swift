import Foundation
import Logging
import SwitchboardCore
import SwitchboardRouting
import SwitchboardTickets
import Yams

/// Reads the configuration file (YAML), applies environment overrides and collects every
/// problem with its key path.
///
/// Without a file the gateway bootstraps from the environment alone: `SWITCHBOARD_PORT`,
/// `SWITCHBOARD_DATA_DIR`, `SWITCHBOARD_ADMIN_TOKEN`, and a default web chat channel `web` whose
/// secret is `SWITCHBOARD_WEBCHAT_SECRET` (and callback `SWITCHBOARD_WEBCHAT_CALLBACK_URL`).
public struct ConfigurationLoader: Sendable {
    public enum Environment {
        public static let host = "SWITCHBOARD_HOST"
        public static let port = "SWITCHBOARD_PORT"
        public static let dataDirectory = "SWITCHBOARD_DATA_DIR"
        public static let adminToken = "SWITCHBOARD_ADMIN_TOKEN"
        public static let synchronous = "SWITCHBOARD_SYNCHRONOUS"
        public static let logLevel = "SWITCHBOARD_LOG_LEVEL"
        public static let webchatSecret = "SWITCHBOARD_WEBCHAT_SECRET"
        public static let webchatCallbackURL = "SWITCHBOARD_WEBCHAT_CALLBACK_URL"
        public static let configPath = "SWITCHBOARD_CONFIG"
    }

    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The configuration from `path` (or the environment alone when `nil`), plus every problem found.
    public func load(path: String?) -> (GatewayConfiguration, [ConfigProblem]) {
        let problems = ConfigReader.Problems()
        var root: [String: ConfigValue] = [:]
        if let path {
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                root = try Self.parseYAML(text)
            } catch let error as ConfigError {
                error.problems.forEach(problems.add)
            } catch {
                problems.add(ConfigProblem(path: path, message: "cannot read configuration file: \(error)"))
            }
        }
        let reader = ConfigReader(root, path: "", problems: problems, environment: environment)
        var configuration = read(reader)
        applyEnvironment(to: &configuration, problems: problems)
        if path == nil, configuration.channels.isEmpty, environment[Environment.webchatSecret]?.isEmpty == false {
            var values: [String: ConfigValue] = [
                "id": .string("web"), "type": .string("webchat"), "secret": .string("env:\(Environment.webchatSecret)"),
            ]
            if let callback = environment[Environment.webchatCallbackURL], !callback.isEmpty {
                values["callbackURL"] = .string(callback)
            }
            configuration.channels.append(.init(id: "web", type: "webchat", values: values, path: "channels[web]"))
        }
        return (configuration, problems.all)
    }

    private func readRouting(_ reader: ConfigReader) -> GatewayConfiguration.Routing {
        var routing = GatewayConfiguration.Routing()
        routing.timeZone = reader.string("timezone", default: "UTC")
        if TimeZone(identifier: routing.timeZone) == nil {
            reader.problem("timezone", "'\(routing.timeZone)' is not a known IANA time zone (e.g. Asia/Shanghai)")
        }
        routing.pollIntervalMilliseconds = reader.int("pollIntervalMilliseconds", default: 200, range: 10...60_000)
        routing.overflowCheckSeconds = reader.int("overflowCheckSeconds", default: 1, range: 1...3600)
        routing.queueMessage = reader.string("queueMessage", default: routing.queueMessage)
        if let bot = reader.child("bot") {
            var settings = KnowledgeBot.Settings()
            if let phrases = bot.decode("handoverPhrases", as: [String].self) {
                if phrases.isEmpty || phrases.contains(where: \.isEmpty) {
                    bot.problem("handoverPhrases", "must list one or more non-empty phrases")
                }
                settings.handoverPhrases = phrases
            }
            settings.threshold = Double(bot.int("thresholdPercent", default: 50, range: 1...100)) / 100
            settings.handoverText = bot.string("handoverText", default: settings.handoverText)
            settings.noAnswerText = bot.string("noAnswerText", default: settings.noAnswerText)
            settings.botOnlyText = bot.string("botOnlyText", default: settings.botOnlyText)
            bot.rejectUnknownKeys()
            routing.bot = settings
        }
        /// Records a validation error under `prefix` (`agents[2]`) of this section.
        func check(_ prefix: String, _ validate: () throws(ValidationError) -> Void) {
            do throws(ValidationError) { try validate() } catch {
                let field = prefix.isEmpty || error.field.hasPrefix(prefix) ? error.field : "\(prefix).\(error.field)"
                reader.problems.add(ConfigProblem(path: reader.keyPath(field), message: error.reason))
            }
        }
        let agents = reader.decodeEach("agents", as: Agent.self)?.items ?? []
        for (index, agent) in agents {
            check("agents[\(index)]") { () throws(ValidationError) in try agent.validate() }
        }
        let groups = reader.decodeEach("groups", as: RoutingGroup.self)?.items ?? []
        let agentIDs = Set(agents.map(\.value.id))
        let groupIDs = Set(groups.map(\.value.id))
        for (index, group) in groups {
            check("groups[\(index)]") { () throws(ValidationError) in try group.validate() }
            for (position, member) in group.members.enumerated() where !agents.isEmpty && !agentIDs.contains(member) {
                reader.problem("groups[\(index)].members[\(position)]", "names no agent '\(member)' under routing.agents")
            }
            if let overflow = group.overflowGroup, !groupIDs.contains(overflow) {
                reader.problem("groups[\(index)].overflowGroup", "names no group '\(overflow)' under routing.groups")
            }
        }
        if let (rules, complete) = reader.decodeEach("rules", as: RoutingRule.self) {
            // The list as a whole (default rule last) is judged only when every rule could be read.
            if complete { check("") { () throws(ValidationError) in try RoutingRule.validate(rules.map(\.value)) } }
            for (index, rule) in rules where !groups.isEmpty && !groupIDs.contains(rule.then.group) {
                reader.problem("rules[\(index)].then.group", "names no group '\(rule.then.group)' under routing.groups")
            }
            routing.rules = complete ? rules.map(\.value) : nil
        }
        routing.agents = agents.map(\.value)
        routing.groups = groups.map(\.value)
        return routing
    }

    private func readTickets(_ reader: ConfigReader, routing: GatewayConfiguration.Routing) -> GatewayConfiguration.Tickets {
        var tickets = GatewayConfiguration.Tickets()
        func check(_ validate: () throws(ValidationError) -> Void) {
            do throws(ValidationError) { try validate() } catch {
                reader.problems.add(ConfigProblem(path: reader.keyPath(error.field), message: error.reason))
            }
        }
        tickets.enabled = reader.bool("enabled", default: true)
        tickets.defaultRules = reader.bool("defaultRules", default: true)
        tickets.reopenWindowDays = reader.int("reopenWindowDays", default: 7, range: 0...365)
        tickets.timerIntervalMilliseconds = reader.int("timerIntervalMilliseconds", default: 1000, range: 10...60_000)
        tickets.calendars = reader.decode("calendars", as: [String: BusinessHours].self) ?? [:]
        for (name, hours) in tickets.calendars.sorted(by: { $0.key < $1.key }) {
            do throws(CalendarError) { _ = try BusinessCalendar(hours) } catch {
                reader.problem("calendars.\(name)", error.description)
            }
        }
        // A routing group's business hours are a calendar too, under the group's id (unless a
        // calendar of that name is defined here): office hours are written down once for both.
        for group in routing.groups where tickets.calendars[group.id.rawValue] == nil {
            if let hours = group.businessHours { tickets.calendars[group.id.rawValue] = hours }
        }
        let policies = reader.decodeEach("slaPolicies", as: SLAPolicy.self)?.items ?? []
        for (index, policy) in policies {
            check { () throws(ValidationError) in try policy.validate(path: "slaPolicies[\(index)]", calendars: Set(tickets.calendars.keys)) }
        }
        tickets.slaPolicies = policies.map(\.value)
        let policyNames = Set(tickets.slaPolicies.map(\.name))
        tickets.defaultSLAPolicy = reader.string("defaultSlaPolicy")
        if let name = tickets.defaultSLAPolicy, !policyNames.contains(name) {
            reader.problem("defaultSlaPolicy", "names no policy '\(name)' under tickets.slaPolicies")
        }
        let groupIDs = Set(routing.groups.map(\.id.rawValue))
        let groups = reader.decodeEach("groups", as: TicketGroupSettings.self)?.items ?? []
        for (index, group) in groups where !groupIDs.isEmpty {
            for (key, name) in [("group", group.group), ("escalationGroup", group.escalationGroup)] {
                if let name, !groupIDs.contains(name) {
                    reader.problem("groups[\(index)].\(key)", "names no group '\(name)' under routing.groups")
                }
            }
        }
        tickets.groups = groups.map(\.value)
        if let (types, complete) = reader.decodeEach("types", as: TicketType.self) {
            for (index, type) in types {
                check { () throws(ValidationError) in try type.validate(field: "types[\(index)]") }
                if let policy = type.slaPolicy, !policyNames.contains(policy) {
                    reader.problem("types[\(index)].slaPolicy", "names no policy '\(policy)' under tickets.slaPolicies")
                }
            }
            tickets.types = complete ? types.map(\.value) : nil
        }
        if let (rules, complete) = reader.decodeEach("rules", as: TicketRule.self) {
            let known = Set(TicketSettings.builtInTypes.map(\.name)).union((tickets.types ?? []).map(\.name))
            // With types managed through the API the rule's type may exist only there: checked at start.
            if complete, tickets.types != nil {
                check { () throws(ValidationError) in try TicketRule.validate(rules.map(\.value), types: known) }
            }
            tickets.rules = complete ? rules.map(\.value) : nil
        }
        if let webhook = reader.child("webhook") {
            tickets.webhookURL = webhook.string("url", required: true)
            if let url = tickets.webhookURL, URL(string: url).map({ ["http", "https"].contains($0.scheme ?? "") && $0.host != nil }) != true {
                webhook.problem("url", "must be an http or https URL")
            }
            tickets.webhookSecret = webhook.secret("secret", required: true)
            webhook.rejectUnknownKeys()
        }
        return tickets
    }

    /// Parses YAML text into a ``ConfigValue`` mapping.
    public static func parseYAML(_ text: String) throws -> [String: ConfigValue] {
        let object: Any?
        do {
            object = try Yams.load(yaml: text)
        } catch {
            throw ConfigError(problems: [ConfigProblem(path: "(file)", message: "is not valid YAML: \(error)")])
        }
        guard let object else { return [:] }
        guard case .map(let map) = convert(object) else {
            throw ConfigError(problems: [ConfigProblem(path: "(file)", message: "must be a mapping at the top level")])
        }
        return map
    }

    private static func convert(_ object: Any) -> ConfigValue {
        switch object {
        case let value as Bool: return .bool(value)
        case let value as Int: return .int(value)
        case let value as Double: return .double(value)
        case let value as String: return .string(value)
        case let value as [Any]: return .list(value.map(convert))
        case let value as [String: Any]: return .map(value.mapValues(convert))
        case let value as [AnyHashable: Any]:
            var map: [String: ConfigValue] = [:]
            for (key, item) in value { map[String(describing: key)] = convert(item) }
            return .map(map)
        default: return .null
        }
    }

    private func read(_ root: ConfigReader) -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        if let server = root.child("server") {
            configuration.server.host = server.string("host", default: configuration.server.host)
            configuration.server.port = server.int("port", default: configuration.server.port, range: 0...65535)
            configuration.server.shutdownGraceSeconds = server.int("shutdownGraceSeconds", default: 30, range: 1...3600)
            server.rejectUnknownKeys()
        }
        if let storage = root.child("storage") {
            configuration.storage.backend = storage.choice("backend", ["sqlite"], default: "sqlite")
            configuration.storage.dataDirectory = storage.string("dataDir", default: configuration.storage.dataDirectory)
            configuration.storage.synchronous = storage.choice("synchronous", ["full", "normal"], default: "full")
            storage.rejectUnknownKeys()
        }
        if let ingest = root.child("ingest") {
            configuration.ingest.inactivityWindowSeconds = ingest.int(
                "inactivityWindowSeconds", default: 1800, range: 1...(30 * 86400))
            configuration.ingest.maxBatchSize = ingest.int("maxBatchSize", default: 512, range: 1...10_000)
            configuration.ingest.maxPending = ingest.int("maxPending", default: 20_000, range: 1...1_000_000)
            ingest.rejectUnknownKeys()
        }
        if let delivery = root.child("delivery") {
            configuration.delivery.pollIntervalMilliseconds = delivery.int(
                "pollIntervalMilliseconds", default: 1000, range: 10...60_000)
            configuration.delivery.initialBackoffSeconds = Double(
                delivery.int("initialBackoffSeconds", default: 1, range: 1...3600))
            configuration.delivery.maxBackoffSeconds = Double(
                delivery.int("maxBackoffSeconds", default: 600, range: 1...86_400))
            configuration.delivery.giveUpAfterHours = Double(delivery.int("giveUpAfterHours", default: 72, range: 1...720))
            configuration.delivery.concurrency = delivery.int("concurrency", default: 16, range: 1...256)
            delivery.rejectUnknownKeys()
        }
        if let auth = root.child("auth") {
            configuration.adminToken = auth.secret("adminToken")
            auth.rejectUnknownKeys()
        }
        if let logging = root.child("logging") {
            let level = logging.choice(
                "level", Logger.Level.allCases.map(\.rawValue), default: configuration.logLevel.rawValue)
            configuration.logLevel = Logger.Level(rawValue: level) ?? .info
            logging.rejectUnknownKeys()
        }
        if let routing = root.child("routing") {
            configuration.routing = readRouting(routing)
            routing.rejectUnknownKeys()
        }
        if let tickets = root.child("tickets") {
            configuration.tickets = readTickets(tickets, routing: configuration.routing)
            tickets.rejectUnknownKeys()
        }
        for (index, channel) in root.list("channels").enumerated() {
            let id = channel.string("id", required: true) ?? ""
            let type = channel.string("type", required: true) ?? ""
            configuration.channels.append(.init(id: id, type: type, values: channel.values, path: "channels[\(index)]"))
        }
        root.rejectUnknownKeys()
        return configuration
    }

    private func applyEnvironment(to configuration: inout GatewayConfiguration, problems: ConfigReader.Problems) {
        if let host = environment[Environment.host], !host.isEmpty { configuration.server.host = host }
        if let text = environment[Environment.port], !text.isEmpty {
            if let port = Int(text), (0...65535).contains(port) {
                configuration.server.port = port
            } else {
                problems.add(ConfigProblem(path: Environment.port, message: "must be a port number 0-65535, found '\(text)'"))
            }
        }
        if let directory = environment[Environment.dataDirectory], !directory.isEmpty {
            configuration.storage.dataDirectory = directory
        }
        if let token = environment[Environment.adminToken], !token.isEmpty { configuration.adminToken = token }
        if let text = environment[Environment.synchronous], !text.isEmpty {
            if ["full", "normal"].contains(text.lowercased()) {
                configuration.storage.synchronous = text.lowercased()
            } else {
                problems.add(ConfigProblem(path: Environment.synchronous, message: "must be full or normal, found '\(text)'"))
            }
        }
        if let text = environment[Environment.logLevel], !text.isEmpty {
            if let level = Logger.Level(rawValue: text.lowercased()) {
                configuration.logLevel = level
            } else {
                problems.add(ConfigProblem(path: Environment.logLevel, message: "must be one of trace, debug, info, notice, warning, error, critical"))
            }
        }
        if let token = configuration.adminToken, token.utf8.count < 16 {
            problems.add(ConfigProblem(path: "auth.adminToken", message: "must be at least 16 characters"))
        }
    }
}
