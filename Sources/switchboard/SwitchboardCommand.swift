import ArgumentParser
import SwitchboardCore
import SwitchboardEmail
import SwitchboardWeChat
import SwitchboardWeibo
import SwitchboardWebChat

/// The `switchboard` executable.
@main
struct SwitchboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "Switchboard: a multi-channel customer-service ingestion gateway.",
        subcommands: [Serve.self, Migrate.self, CheckConfig.self, TokenCommand.self, InspectMail.self],
        defaultSubcommand: Serve.self)
}

/// Every channel type this build knows, registered by its config `type:` name. Adding an adapter
/// means adding its factory here, and nowhere else.
let channelFactories: [any ChannelAdapterFactory] = [
    WebChatAdapterFactory(),
    EmailAdapterFactory(),
    WeChatAdapterFactory(),
    WeiboAdapterFactory(),
]
