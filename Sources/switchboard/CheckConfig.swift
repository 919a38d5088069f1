import ArgumentParser
import Logging
import Metrics
import SwitchboardCore
import SwitchboardServer

/// `switchboard check-config`: report every configuration problem with its key path; exit
/// non-zero when there is any. Builds every channel adapter without starting it.
struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate the configuration and report every problem.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let (configuration, problems) = ConfigurationLoader().load(path: options.configPath)
        let environment = ChannelEnvironment(
            sink: UnavailableSink(), logger: Logger(label: "check-config"), metricsFactory: NOOPMetricsHandler.instance)
        let (adapters, adapterProblems) = Gateway.buildAdapters(
            configuration.channels, factories: channelFactories, environment: environment)
        for adapter in adapters { await adapter.shutdown() }
        let all = problems + adapterProblems
        guard all.isEmpty else {
            printProblems(all)
            throw ExitCode(1)
        }
        print("configuration OK: \(adapters.count) channel\(adapters.count == 1 ? "" : "s") (\(adapters.map { "\($0.id) [\($0.kind)]" }.joined(separator: ", ")))")
    }
}

/// A sink for adapters that are built only to be validated.
struct UnavailableSink: ContactSink {
    func ingest(_ contact: InboundContact) async throws(IngestError) -> IngestReceipt { throw .shuttingDown }
    func recordRating(_ rating: RatingSubmission) async throws(IngestError) -> RatingReceipt { throw .shuttingDown }
    func record(_ contact: RecordedContact) async throws(IngestError) -> RecordReceipt { throw .shuttingDown }
    func checkpoint(channel: ChannelID, scope: String) async throws(IngestError) -> String? { throw .shuttingDown }
}
