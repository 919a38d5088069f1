import ArgumentParser
import Foundation
import Logging
import SwitchboardCore
import SwitchboardServer
import SwitchboardStoreSQLite

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (YAML). Default: $SWITCHBOARD_CONFIG, else environment only.")
    var config: String?

    /// The configuration file path in force, if any.
    var configPath: String? {
        config ?? ProcessInfo.processInfo.environment[ConfigurationLoader.Environment.configPath].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Loads the configuration, or prints every problem and exits non-zero.
    func loadConfiguration() throws -> GatewayConfiguration {
        let (configuration, problems) = ConfigurationLoader().load(path: configPath)
        guard problems.isEmpty else {
            printProblems(problems)
            throw ExitCode(2)
        }
        return configuration
    }

    /// Opens the configured store backend and blob directory.
    func openStore(_ configuration: GatewayConfiguration) throws -> (SQLiteStore, FileBlobStore) {
        let synchronous: SQLiteStore.Configuration.Synchronous = configuration.storage.synchronous == "normal" ? .normal : .full
        let store = try SQLiteStore(
            configuration: .init(path: configuration.storage.databasePath, synchronous: synchronous))
        let blobs = try FileBlobStore(root: configuration.storage.blobDirectory)
        return (store, blobs)
    }
}

func printProblems(_ problems: [ConfigProblem]) {
    var standardError = FileHandle.standardError
    print("configuration has \(problems.count) problem\(problems.count == 1 ? "" : "s"):", to: &standardError)
    for problem in problems { print("  \(problem)", to: &standardError) }
}

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) { write(Data(string.utf8)) }
}

/// Sets up logging once, for the whole process.
func bootstrapLogging(level: Logger.Level) {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}
