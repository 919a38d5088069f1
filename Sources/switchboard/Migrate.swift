import ArgumentParser
import SwitchboardServer

/// `switchboard migrate`: bring the store's schema to the latest version and exit.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending storage migrations and exit.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let (store, _) = try options.openStore(configuration)
        try await store.migrate()
        try await store.close()
        print("migrated \(configuration.storage.databasePath)")
    }
}
