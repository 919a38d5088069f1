import Foundation
import Logging
import SwitchboardCore
import SwitchboardRouting
import SwitchboardTickets

/// The gateway's whole configuration, typed and validated.
///
/// Built by ``ConfigurationLoader`` from `config/switchboard.yaml` (every key documented there)
/// plus environment overrides; channels keep their raw keys, which each adapter factory reads
/// and validates itself.
public struct GatewayConfiguration: Sendable {
    /// `server:` — where the HTTP listener binds.
    public struct Server: Sendable {
        /// `server.host`, default `127.0.0.1` (env `SWITCHBOARD_HOST`). Loopback unless you mean it.
        public var host: String = "127.0.0.1"
        /// `server.port`, default 8080 (env `SWITCHBOARD_PORT`); 0 picks a free port.
        public var port: Int = 8080
        /// `server.shutdownGraceSeconds`, default 30: how long SIGTERM waits for in-flight work.
        public var shutdownGraceSeconds: Int = 30
        public init() {}
    }

    /// `storage:` — where and how durably data is kept.
    public struct Storage: Sendable {
        /// `storage.backend`: `sqlite` (the embedded default).
        public var backend: String = "sqlite"
        /// `storage.dataDir`, default `./data` (env `SWITCHBOARD_DATA_DIR`): database and blobs.
        public var dataDirectory: String = "./data"
        /// `storage.synchronous`: `full` (default; an acknowledged contact survives power loss) or
        /// `normal` (faster; the last transactions may be lost on power loss). Env `SWITCHBOARD_SYNCHRONOUS`.
        public var synchronous: String = "full"
        public init() {}

        public var databasePath: String { URL(fileURLWithPath: dataDirectory).appendingPathComponent("switchboard.sqlite").path }
        public var blobDirectory: URL { URL(fileURLWithPath: dataDirectory).appendingPathComponent("blobs") }
    }

    /// `ingest:` — threading and group commit.
    public struct Ingest: Sendable {
        /// `ingest.inactivityWindowSeconds`, default 1800.
        public var inactivityWindowSeconds: Int = 1800
        /// `ingest.maxBatchSize`, default 512 contacts per transaction.
        public var maxBatchSize: Int = 512
        /// `ingest.maxPending`, default 20000; beyond it contacts get 503 + Retry-After.
        public var maxPending: Int = 20_000
        public init() {}
    }

    /// `delivery:` — how agent replies are retried.
    public struct Delivery: Sendable {
        /// `delivery.pollIntervalMilliseconds`, default 1000.
        public var pollIntervalMilliseconds: Int = 1000
        /// `delivery.initialBackoffSeconds`, default 1; doubles per attempt.
        public var initialBackoffSeconds: Double = 1
        /// `delivery.maxBackoffSeconds`, default 600.
        public var maxBackoffSeconds: Double = 600
        /// `delivery.giveUpAfterHours`, default 72: then the reply is marked failed.
        public var giveUpAfterHours: Double = 72
        /// `delivery.concurrency`, default 16 deliveries in flight.
        public var concurrency: Int = 16
        public init() {}
    }

    /// `tickets:` — ticket types, generator rules, SLA policies and calendars, group settings.
    public struct Tickets: Sendable {
        /// `tickets.enabled`, default true: the generator, SLA timers and webhooks run.
        public var enabled: Bool = true
        /// `tickets.types`: ticket templates (over the built-in ones of the same name). When
        /// given, types live in this file; otherwise they are managed at `/api/v1/ticket-types`.
        public var types: [TicketType]?
        /// `tickets.rules`: generator rules tried before the built-in ones. When given, rules live
        /// in this file; otherwise they are managed at `/api/v1/ticket-rules`.
        public var rules: [TicketRule]?
        /// `tickets.defaultRules`, default true: the built-in rules (new email thread, missed
        /// call, bot failing twice, agent escalation) apply after the configured ones.
        public var defaultRules: Bool = true
        /// `tickets.calendars`: business-hours calendars by name (the routing groups' format).
        public var calendars: [String: BusinessHours] = [:]
        /// `tickets.slaPolicies`: SLA policies by name.
        public var slaPolicies: [SLAPolicy] = []
        /// `tickets.defaultSlaPolicy`: the policy of types that name none.
        public var defaultSLAPolicy: String?
        /// `tickets.groups`: per routing group, load or pick-up assignment and where breaches go.
        public var groups: [TicketGroupSettings] = []
        /// `tickets.reopenWindowDays`, default 7.
        public var reopenWindowDays: Int = 7
        /// `tickets.webhook.url` / `.secret`: where SLA warnings and breaches are posted, signed.
        public var webhookURL: String?
        public var webhookSecret: String?
        /// `tickets.timerIntervalMilliseconds`, default 1000: the longest the SLA timer service
        /// sleeps between looks at its due-timer index.
        public var timerIntervalMilliseconds: Int = 1000
        public init() {}
    }

    public var tickets = Tickets()

    /// `routing:` — rules, and agents and groups declared in the file.
    public struct Routing: Sendable {
        /// `routing.timezone`, default `UTC`: when "today" starts for least-load-today.
        public var timeZone: String = "UTC"
        /// `routing.pollIntervalMilliseconds`, default 200: how often routing looks for new
        /// conversations when not woken by an ingest.
        public var pollIntervalMilliseconds: Int = 200
        /// `routing.overflowCheckSeconds`, default 1: how often max-wait overflow is checked.
        public var overflowCheckSeconds: Int = 1
        /// `routing.rules`: when given, the rules live in this file (the API shows them read-only);
        /// when absent they are managed at `/api/v1/routing/rules`.
        public var rules: [RoutingRule]?
        /// `routing.queueMessage`: told to a customer who has to wait, on channels that can
        /// deliver; `{ahead}` and `{position}` are filled in (their own level only). Empty: say nothing.
        public var queueMessage: String = "All our agents are busy right now. You are number {position} in line."
        /// `routing.bot`: the knowledge-base bot of the bot-first, human-first and bot-only modes.
        public var bot = KnowledgeBot.Settings()
        /// `routing.agents` / `routing.groups`: applied at every start, over API edits to the same ids.
        public var agents: [Agent] = []
        public var groups: [RoutingGroup] = []
        public init() {}
    }

    public var server = Server()
    public var storage = Storage()
    public var routing = Routing()
    public var ingest = Ingest()
    public var delivery = Delivery()
    /// `auth.adminToken` (env `SWITCHBOARD_ADMIN_TOKEN`): a bootstrap admin bearer token, kept only as a hash.
    public var adminToken: String?
    /// `logging.level`, default `info` (env `SWITCHBOARD_LOG_LEVEL`).
    public var logLevel: Logger.Level = .info
    /// `channels:` — each entry's raw keys, validated by its adapter factory.
    public var channels: [ChannelEntry] = []

    public init() {}

    /// One `channels:` entry before its adapter has read it.
    public struct ChannelEntry: Sendable {
        public var id: String
        public var type: String
        /// Every key of the entry, including `id` and `type`.
        public var values: [String: ConfigValue]
        /// Its key path, `channels[0]`.
        public var path: String

        public init(id: String, type: String, values: [String: ConfigValue], path: String) {
            self.id = id
            self.type = type
            self.values = values
            self.path = path
        }
    }
}
