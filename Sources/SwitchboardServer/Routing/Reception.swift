import Foundation
import Logging
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore

/// What happens after routing decided, in the conversation itself: the bot answers customers it
/// holds (or hands them to people), and a customer who has to wait is told their place in line.
///
/// Replies go out like agents' replies: recorded on the conversation and delivered through the
/// channel's outbox when the channel can deliver.
struct Reception: Sendable {
    let store: any GatewayStore
    let engine: RoutingEngine
    let bot: KnowledgeBot
    let queueMessage: String
    let canDeliver: @Sendable (ChannelID) -> Bool
    let replyQueued: @Sendable () -> Void
    let logger: Logger

    /// Follows up decisions just made: greets the bot's new conversations with an answer to
    /// their first message, tells queued customers where they stand.
    func followUp(_ decisions: [RoutingDecision], firstMessages: [ConversationID: String]) async throws {
        for decision in decisions {
            switch decision.outcome {
            case .bot:
                try await answer(firstMessages[decision.conversationID] ?? "", in: decision.conversationID)
            case .queued:
                try await tellPlace(decision)
            case .assigned:
                continue
            }
        }
    }

    /// The bot's turn on a customer message in a conversation it holds.
    func answer(_ text: String, in conversation: ConversationID) async throws {
        guard let request = await engine.botRequest(for: conversation) else { return }
        let channel = ChannelID(rawValue: request.channelID)
        let mode = request.reception ?? .humanOnly
        if bot.asksForPerson(text) {
            if mode == .botOnly {
                try await say(bot.settings.botOnlyText, in: conversation, channel: channel, as: "bot")
            } else {
                try await handOver(conversation, channel: channel, reason: "the customer asked for a person")
            }
            return
        }
        let candidates = try await store.searchArticles(text, limit: 5)
        if let answer = bot.answer(text, candidates: candidates) {
            try await say("\(answer.article.title)\n\n\(answer.article.body)", in: conversation, channel: channel, as: "bot")
        } else if mode == .botOnly {
            try await say(bot.settings.noAnswerText, in: conversation, channel: channel, as: "bot")
        } else {
            try await handOver(conversation, channel: channel, reason: "no knowledge-base article matched")
        }
    }

    private func handOver(_ conversation: ConversationID, channel: ChannelID, reason: String) async throws {
        try await say(bot.settings.handoverText, in: conversation, channel: channel, as: "bot")
        let decisions = try await engine.handOver(conversation, reason: reason)
        for decision in decisions where decision.outcome == .queued { try await tellPlace(decision) }
    }

    /// Tells a waiting customer how many wait ahead of them at their own level.
    private func tellPlace(_ decision: RoutingDecision) async throws {
        guard !queueMessage.isEmpty, let ahead = decision.ahead,
            let channel = await engine.entry(for: decision.conversationID).map({ ChannelID(rawValue: $0.request.channelID) })
        else { return }
        let text = queueMessage.replacingOccurrences(of: "{ahead}", with: String(ahead))
            .replacingOccurrences(of: "{position}", with: String(ahead + 1))
        try await say(text, in: decision.conversationID, channel: channel, as: "system")
    }

    private func say(_ text: String, in conversation: ConversationID, channel: ChannelID, as author: String) async throws {
        let deliver = canDeliver(channel)
        _ = try await store.appendReply(
            AgentReply(conversationID: conversation, author: author, text: text, html: nil, createdAt: Date(), deliver: deliver))
        if deliver { replyQueued() }
    }
}
