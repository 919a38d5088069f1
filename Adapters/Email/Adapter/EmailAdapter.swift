import Logging
import ServiceLifecycle
import SwitchboardCore

/// A mailbox as a channel: each configured IMAP folder is kept ingested by its own
/// ``IMAPFolderSync`` service (one connection each, since IDLE watches one folder).
public struct EmailAdapter: ChannelAdapter {
    public let id: ChannelID
    public var kind: ChannelKind { .email }
    public let configuration: EmailConfiguration
    public let intake: MailIntake
    private let environment: ChannelEnvironment
    private let logger: Logger

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
    }

    public var services: [any Service] {
        let metrics = EmailMetrics(factory: environment.metricsFactory)
        return configuration.folders.map { folder in
            IMAPFolderSync(
                channelID: id, folder: folder, configuration: configuration, intake: intake, sink: environment.sink,
                logger: logger, metrics: metrics)
        }
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
