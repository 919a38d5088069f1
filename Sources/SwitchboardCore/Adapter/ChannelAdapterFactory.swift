import Logging
import Metrics

/// Builds channel adapters of one `type:` from configuration.
///
/// Factories are registered by ``typeName`` in one list in the executable. ``makeAdapter(id:config:environment:)``
/// reads and validates its keys through the ``ConfigReader`` — reporting every problem with its key
/// path — and returns `nil` if any was found. It must not start I/O: `check-config` builds every
/// adapter to validate it and then throws it away.
public protocol ChannelAdapterFactory: Sendable {
    /// The config `type:` this factory handles (`webchat`, `email`, …).
    var typeName: String { get }
    func makeAdapter(id: ChannelID, config: ConfigReader, environment: ChannelEnvironment) -> (any ChannelAdapter)?
}

/// What the gateway gives every adapter it builds.
public struct ChannelEnvironment: Sendable {
    /// Where received contacts go.
    public var sink: any ContactSink
    /// A logger; adapters add `sb.channel` metadata.
    public var logger: Logger
    public var metricsFactory: any MetricsFactory

    public init(sink: any ContactSink, logger: Logger, metricsFactory: any MetricsFactory) {
        self.sink = sink
        self.logger = logger
        self.metricsFactory = metricsFactory
    }
}
