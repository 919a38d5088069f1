import Logging
import ServiceLifecycle
import SwitchboardCore

/// Email as a channel: each configured IMAP folder is kept ingested by its own
/// ``IMAPFolderSync`` service (one connection each, since IDLE watches one folder), and an
/// `inbound:` block adds an ``SMTPListener`` that mail servers deliver to directly.
public struct EmailAdapter: ChannelAdapter {
    public let id: ChannelID
    public var kind: ChannelKind { .email }
    public let configuration: EmailConfiguration
    public let intake: MailIntake
    private let environment: ChannelEnvironment
    let logger: Logger
    let metrics: EmailMetrics

    public init(id: ChannelID, configuration: EmailConfiguration, environment: ChannelEnvironment) {
        self.id = id
        self.configuration = configuration
        self.environment = environment
        self.intake = MailIntake(
            normalizer: MailNormalizer(
                channelID: id, ownAddresses: Set(configuration.addresses), subjectToken: configuration.subjectToken))
        var logger = environment.logger
        logger[metadataKey: "sb.channel"] = "\(id.rawValue)"
        self.logger = logger
        self.metrics = EmailMetrics(factory: environment.metricsFactory)
    }

    public var services: [any Service] {
        var services: [any Service] = []
        if let imap = configuration.imap {
            services += imap.folders.map { folder in
                IMAPFolderSync(
                    channelID: id, folder: folder, configuration: imap, maxMessageBytes: configuration.maxMessageBytes,
                    intake: intake, sink: environment.sink, logger: logger, metrics: metrics)
            }
        }
        if let inbound = configuration.inbound {
            services.append(
                SMTPListener(
                    channelID: id, settings: inbound, addresses: Set(configuration.addresses), intake: intake,
                    sink: environment.sink, logger: logger, metrics: metrics))
        }
        return services
    }
}

/// Builds ``EmailAdapter``s for `type: email` channels.
public struct EmailAdapterFactory: ChannelAdapterFactory {
    public init() {}
    public var typeName: String { "email" }

    public func makeAdapter(id: ChannelID, config: ConfigReader, environment: ChannelEnvironment) -> (any ChannelAdapter)? {
        guard let configuration = EmailConfiguration(reading: config) else { return nil }
        return EmailAdapter(id: id, configuration: configuration, environment: environment)
    }
}
