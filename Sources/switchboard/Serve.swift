import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import SwitchboardCore
import SwitchboardServer

/// `switchboard serve`: run the gateway until SIGTERM/SIGINT, then drain and exit 0.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway (default command).")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let configuration = try options.loadConfiguration()
        bootstrapLogging(level: configuration.logLevel)
        let logger = Logger(label: "switchboard")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(SwitchboardMetrics.makeFactory(registry: registry))
        let (store, blobs) = try options.openStore(configuration)
        let gateway: Gateway
        do {
            gateway = try Gateway(
                configuration: configuration, store: store, blobs: blobs, factories: channelFactories, logger: logger,
                registry: registry)
        } catch {
            printProblems(error.problems)
            throw ExitCode(2)
        }
        if gateway.adapters.isEmpty {
            logger.warning(
                "no channels configured; set SWITCHBOARD_WEBCHAT_SECRET for the default web chat channel 'web', or pass --config")
        }
        if configuration.adminToken == nil {
            logger.notice("no admin token configured (SWITCHBOARD_ADMIN_TOKEN); create API tokens with 'switchboard token create'")
        }
        logger.info(
            "starting",
            metadata: [
                "sb.listen": "\(configuration.server.host):\(configuration.server.port)",
                "sb.data_dir": "\(configuration.storage.dataDirectory)",
                "sb.synchronous": "\(configuration.storage.synchronous)",
                "sb.channels": "\(gateway.adapters.map(\.id.rawValue).joined(separator: ","))",
            ])
        try await gateway.run(onServerRunning: { port in
            logger.info("listening", metadata: ["sb.port": "\(port)"])
        })
        try await store.close()
        logger.info("stopped")
    }
}
