import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore
import SwitchboardTickets

/// One running Switchboard: store, Ingestor, channel adapters, delivery worker and HTTP server,
/// wired together and run as one `ServiceGroup`.
///
/// The executable builds a `Gateway` from the configuration and a store backend; tests build one
/// the same way (see `SwitchboardTesting.TestGateway`). Shutdown order is the reverse of start:
/// the HTTP server stops accepting and finishes in-flight requests, then adapters' services stop,
/// the delivery worker finishes its sends, and the Ingestor commits what is queued.
public final class Gateway: Sendable {
    public let configuration: GatewayConfiguration
    public let store: any GatewayStore
    public let blobs: any BlobStore
    public let ingestor: Ingestor
    public let adapters: [any ChannelAdapter]
    public let deliveryWorker: DeliveryWorker
    public let routing: RoutingEngine
    let routingWakeup = Wakeup()
    let acknowledgementWakeup = Wakeup()
    let routingSweep = Flag()
    let ticketWakeup = Wakeup()
    let timerWakeup = Wakeup()
    public let tickets: TicketService
    let webhookWorker: TicketWebhookWorker?
    public let registry: PrometheusCollectorRegistry
    let logger: Logger
    let metricsFactory: any MetricsFactory

    /// Builds every configured channel; throws every configuration problem at once.
    public init(
        configuration: GatewayConfiguration, store: any GatewayStore, blobs: any BlobStore,
        factories: [any ChannelAdapterFactory], logger: Logger, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) throws(ConfigError) {
        self.configuration = configuration
        self.store = store
        self.blobs = blobs
        self.logger = logger
        self.registry = registry
        let metricsFactory = SwitchboardMetrics.makeFactory(registry: registry)
        self.metricsFactory = metricsFactory
        self.routing = RoutingEngine(
            store: store, rules: configuration.routing.rules.flatMap { try? RuleBook($0) },
            timeZone: TimeZone(identifier: configuration.routing.timeZone) ?? TimeZone(identifier: "UTC") ?? .current,
            logger: logger, metricsFactory: metricsFactory)
        let routingWakeup = self.routingWakeup
        let acknowledgementWakeup = self.acknowledgementWakeup
        let ticketWakeup = self.ticketWakeup
        let timerWakeup = self.timerWakeup
        let retry = RetryPolicy(
            initialBackoff: configuration.delivery.initialBackoffSeconds, maxBackoff: configuration.delivery.maxBackoffSeconds,
            giveUpAfter: configuration.delivery.giveUpAfterHours * 3600)
        if let url = configuration.tickets.webhookURL, let secret = configuration.tickets.webhookSecret {
            self.webhookWorker = TicketWebhookWorker(
                store: store, url: url, secret: secret, retry: retry,
                pollInterval: .milliseconds(configuration.delivery.pollIntervalMilliseconds), logger: logger)
        } else {
            self.webhookWorker = nil
        }
        let webhookWakeup = webhookWorker?.wakeup
        self.tickets = TicketService(
            store: store, routing: routing, settings: Self.ticketSettings(configuration.tickets), logger: logger,
            metricsFactory: metricsFactory, timersChanged: { timerWakeup.signal() }, webhooksQueued: { webhookWakeup?.signal() })
        self.ingestor = Ingestor(
            committer: store, blobs: blobs,
            configuration: .init(
                maxBatchSize: configuration.ingest.maxBatchSize, maxPending: configuration.ingest.maxPending,
                threading: ThreadingPolicy(inactivityWindow: TimeInterval(configuration.ingest.inactivityWindowSeconds))),
            logger: logger, metricsFactory: metricsFactory, onCommit: {
                routingWakeup.signal()
                acknowledgementWakeup.signal()
                ticketWakeup.signal()
            })
        let environment = ChannelEnvironment(sink: ingestor, logger: logger, metricsFactory: metricsFactory)
        let (adapters, problems) = Self.buildAdapters(configuration.channels, factories: factories, environment: environment)
        guard problems.isEmpty else { throw ConfigError(problems: problems) }
        self.adapters = adapters
        var outbound: [ChannelID: any OutboundChannelAdapter] = [:]
        for adapter in adapters {
            if let adapter = adapter as? any OutboundChannelAdapter { outbound[adapter.id] = adapter }
        }
        self.deliveryWorker = DeliveryWorker(
            store: store, blobs: blobs, adapters: outbound,
            retry: retry,
            pollInterval: .milliseconds(configuration.delivery.pollIntervalMilliseconds),
            concurrency: configuration.delivery.concurrency, logger: logger, metricsFactory: metricsFactory)
    }

    /// The ticket desk's settings from `tickets:` (types and rules the API manages are loaded
    /// from the store when the generator starts).
    public static func ticketSettings(_ tickets: GatewayConfiguration.Tickets) -> TicketSettings {
        var calendars: [String: BusinessCalendar] = [:]
        for (name, hours) in tickets.calendars {
            if let calendar = try? BusinessCalendar(hours) { calendars[name] = calendar }
        }
        return TicketSettings(
            types: tickets.types ?? [], policies: tickets.slaPolicies, calendars: calendars, groups: tickets.groups,
            defaultPolicy: tickets.defaultSLAPolicy, reopenWindow: TimeInterval(tickets.reopenWindowDays) * 86_400,
            rules: (tickets.rules ?? []) + (tickets.defaultRules ? TicketRule.defaults : []), webhook: tickets.webhookURL != nil)
    }

    /// Builds the adapters of `channels`, collecting every problem (unknown type, bad or
    /// duplicate id, each adapter's own key problems).
    public static func buildAdapters(
        _ channels: [GatewayConfiguration.ChannelEntry], factories: [any ChannelAdapterFactory],
        environment: ChannelEnvironment, processEnvironment: [String: String] = ProcessInfo.processInfo.environment
    ) -> ([any ChannelAdapter], [ConfigProblem]) {
        let problems = ConfigReader.Problems()
        var adapters: [any ChannelAdapter] = []
        var seen: Set<String> = []
        let byType = Dictionary(factories.map { ($0.typeName, $0) }, uniquingKeysWith: { first, _ in first })
        for entry in channels {
            guard !entry.id.isEmpty, !entry.type.isEmpty else { continue }  // already reported as required
            guard ChannelID.isValid(entry.id) else {
                problems.add(
                    ConfigProblem(
                        path: "\(entry.path).id",
                        message: "'\(entry.id)' must be 1-64 characters of a-z, 0-9, '-' or '_', starting with a letter or digit"))
                continue
            }
            guard seen.insert(entry.id).inserted else {
                problems.add(ConfigProblem(path: "\(entry.path).id", message: "duplicate channel id '\(entry.id)'"))
                continue
            }
            guard let factory = byType[entry.type] else {
                problems.add(
                    ConfigProblem(
                        path: "\(entry.path).type",
                        message: "unknown channel type '\(entry.type)'; known: \(byType.keys.sorted().joined(separator: ", "))"))
                continue
            }
            let reader = ConfigReader(entry.values, path: entry.path, problems: problems, environment: processEnvironment)
            if let adapter = factory.makeAdapter(id: ChannelID(rawValue: entry.id), config: reader, environment: environment) {
                adapters.append(adapter)
            }
        }
        return (adapters, problems.all)
    }

    /// The HTTP application: channel webhooks, REST API, health and metrics.
    public func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: JSONErrorMiddleware())
        var push: [ChannelID: any PushChannelAdapter] = [:]
        for adapter in adapters {
            if let adapter = adapter as? any PushChannelAdapter { push[adapter.id] = adapter }
        }
        ChannelRoutes(
            adapters: push, logger: logger,
            rejected: CounterFamily(label: "switchboard.webhook.rejected", dimensions: ["channel", "reason"], factory: metricsFactory)
        ).register(on: router)
        let worker = deliveryWorker
        let authenticator = Authenticator(adminToken: configuration.adminToken, store: store)
        APIRoutes(
            store: store, blobs: blobs, routing: routing, authenticator: authenticator,
            outbound: OutboundChannels(adapters),
            replyQueued: { worker.poke() }, maxBodyBytes: 16 << 20
        ).register(on: router)
        let sweep = routingSweep
        let wakeup = routingWakeup
        RoutingRoutes(
            store: store, engine: routing, authenticator: authenticator,
            definitionsChanged: {
                sweep.raise()
                wakeup.signal()
            },
            rulesFromConfiguration: configuration.routing.rules != nil, maxBodyBytes: 1 << 20
        ).register(on: router)
        KnowledgeRoutes(store: store, authenticator: authenticator, maxBodyBytes: 1 << 20).register(on: router)
        TicketRoutes(
            service: tickets, authenticator: authenticator, outbound: OutboundChannels(adapters), replyQueued: { worker.poke() },
            typesFromConfiguration: configuration.tickets.types != nil, rulesFromConfiguration: configuration.tickets.rules != nil,
            defaultRules: configuration.tickets.defaultRules, maxBodyBytes: 1 << 20
        ).register(on: router)
        RecordRoutes(store: store, authenticator: authenticator).register(on: router)
        ReportRoutes(
            store: store, authenticator: authenticator,
            timeZone: TimeZone(identifier: configuration.routing.timeZone) ?? TimeZone(identifier: "UTC") ?? .current
        ).register(on: router)
        HealthRoutes(store: store, registry: registry).register(on: router)
        return Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.server.host, port: configuration.server.port), serverName: "Switchboard"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Migrates the store and runs everything until a shutdown signal (or `triggerGracefulShutdown`).
    public func run(
        signals: [UnixSignal] = [.sigterm, .sigint], onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        try await store.migrate()
        let group = makeServiceGroup(signals: signals, onServerRunning: onServerRunning)
        do {
            try await group.run()
        } catch {
            await shutdownAdapters()
            throw error
        }
        await shutdownAdapters()
    }

    /// The service group `run` runs; exposed so tests can trigger its shutdown.
    public func makeServiceGroup(
        signals: [UnixSignal], onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> ServiceGroup {
        let worker = deliveryWorker
        let reception = Reception(
            store: store, engine: routing, bot: KnowledgeBot(settings: configuration.routing.bot),
            queueMessage: configuration.routing.queueMessage, outbound: OutboundChannels(adapters),
            replyQueued: { worker.poke() })
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: ingestor, successTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: deliveryWorker, successTerminationBehavior: .gracefullyShutdownGroup),
            .init(
                service: RoutingConsumer(
                    store: store, engine: routing, configuration: configuration.routing, wakeup: routingWakeup,
                    sweepRequested: routingSweep, reception: reception, logger: logger),
                successTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if configuration.tickets.enabled {
            let tickets = configuration.tickets
            services.append(
                .init(
                    service: TicketGenerator(
                        service: self.tickets, wakeup: ticketWakeup,
                        pollInterval: .milliseconds(configuration.routing.pollIntervalMilliseconds), logger: logger,
                        loadDefinitions: (types: tickets.types == nil, rules: tickets.rules == nil), defaultRules: tickets.defaultRules),
                    successTerminationBehavior: .gracefullyShutdownGroup))
            services.append(
                .init(
                    service: SLATimerService(
                        service: self.tickets, wakeup: timerWakeup, interval: .milliseconds(tickets.timerIntervalMilliseconds),
                        logger: logger),
                    successTerminationBehavior: .gracefullyShutdownGroup))
            if let webhookWorker {
                services.append(.init(service: webhookWorker, successTerminationBehavior: .gracefullyShutdownGroup))
            }
        }
        var acknowledgements: [ChannelID: Acknowledgement] = [:]
        for case let adapter as any OutboundChannelAdapter in adapters {
            if let acknowledgement = adapter.acknowledgement { acknowledgements[adapter.id] = acknowledgement }
        }
        if !acknowledgements.isEmpty {
            services.append(
                .init(
                    service: AcknowledgementConsumer(
                        store: store, acknowledgements: acknowledgements, outbound: OutboundChannels(adapters), wakeup: acknowledgementWakeup,
                        pollInterval: .milliseconds(configuration.routing.pollIntervalMilliseconds), replyQueued: { worker.poke() },
                        logger: logger),
                    successTerminationBehavior: .gracefullyShutdownGroup))
        }
        for adapter in adapters {
            services += adapter.services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) }
        }
        services.append(
            .init(service: makeApplication(onServerRunning: onServerRunning), successTerminationBehavior: .gracefullyShutdownGroup))
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: signals, logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.server.shutdownGraceSeconds)
        return ServiceGroup(configuration: groupConfiguration)
    }

    /// Releases every adapter's resources; `run` does this itself after the group stops.
    public func shutdownAdapters() async {
        for adapter in adapters { await adapter.shutdown() }
    }
}
