import ArgumentParser
import Foundation
import SwitchboardServer
import SwitchboardStore

/// `switchboard token create --scope admin|agent|integration`: print a new API token once and
/// store only its hash.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token and print it (shown once).")

        @OptionGroup var options: GlobalOptions

        @Option(help: "What the token may do: admin, agent or integration.")
        var scope: String

        @Option(help: "A name for the token (shown as the author of agent replies).")
        var name: String?

        func validate() throws {
            guard TokenScope(rawValue: scope) != nil else {
                throw ValidationError("--scope must be admin, agent or integration")
            }
        }

        func run() async throws {
            guard let tokenScope = TokenScope(rawValue: scope) else { throw ExitCode(2) }
            let configuration = try options.loadConfiguration()
            let (store, _) = try options.openStore(configuration)
            try await store.migrate()
            let token = TokenGenerator.make(scope: tokenScope)
            try await store.createToken(
                StoredToken(
                    id: UUID().uuidString.lowercased(), hash: Authenticator.hash(token), scope: tokenScope, name: name,
                    createdAt: Date()))
            try await store.close()
            print(token)
        }
    }
}
