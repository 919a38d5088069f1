import Foundation
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore

/// What happens after routing decided, in the conversation itself: the bot answers customers it
/// holds (or hands them to people), and a customer who has to wait is told their place in line.
///
/// Replies go out like agents' replies: recorded on the conversation and delivered through the
/// channel's outbox. All replies of one batch are written in one transaction.
struct Reception: Sendable {
    let store: any GatewayStore
    let engine: RoutingEngine
    let bot: KnowledgeBot
    let queueMessage: String
    let outbound: OutboundChannels
    let replyQueued: @Sendable () -> Void

    /// Follows up decisions just made: the bot answers the first message of the conversations it
    /// was given, queued customers hear where they stand.
    func followUp(_ decisions: [RoutingDecision], firstMessages: [ConversationID: String]) async throws {
        var replies: [AgentReply] = []
        for decision in decisions {
            switch decision.outcome {
            case .bot: replies += try await answer(firstMessages[decision.conversationID] ?? "", in: decision.conversationID)
            case .queued: replies += await place(decision)
            case .assigned: continue
            }
        }
        try await send(replies)
    }

    /// The bot's turn on customer messages in conversations it holds, in order.
    func answer(_ messages: [(conversation: ConversationID, text: String)]) async throws {
        var replies: [AgentReply] = []
        for message in messages { replies += try await answer(message.text, in: message.conversation) }
        try await send(replies)
    }

    private func answer(_ text: String, in conversation: ConversationID) async throws -> [AgentReply] {
        guard let request = await engine.botRequest(for: conversation) else { return [] }
        let channel = ChannelID(rawValue: request.channelID)
        let mode = request.reception ?? .humanOnly
        if bot.asksForPerson(text) {
            if mode == .botOnly { return [reply(bot.settings.botOnlyText, in: conversation, channel: channel, as: "bot")] }
            return try await handOver(conversation, channel: channel, reason: "the customer asked for a person")
        }
        let candidates = try await store.searchArticles(text, limit: 5)
        if let answer = bot.answer(text, candidates: candidates) {
            let body = "\(answer.article.title)\n\n\(answer.article.body)"
            return [reply(body, in: conversation, channel: channel, as: "bot")]
        }
        // The bot failed this customer: tickets count failures per conversation (the second opens one).
        try await store.recordBotFailures([conversation], at: Date())
        if mode == .botOnly { return [reply(bot.settings.noAnswerText, in: conversation, channel: channel, as: "bot")] }
        return try await handOver(conversation, channel: channel, reason: "no knowledge-base article matched")
    }

    private func handOver(_ conversation: ConversationID, channel: ChannelID, reason: String) async throws -> [AgentReply] {
        var replies = [reply(bot.settings.handoverText, in: conversation, channel: channel, as: "bot")]
        for decision in try await engine.handOver(conversation, reason: reason) where decision.outcome == .queued {
            replies += await place(decision)
        }
        return replies
    }

    /// Tells a waiting customer how many wait ahead of them at their own level — only on a
    /// channel that can deliver it (the notice is for the customer).
    private func place(_ decision: RoutingDecision) async -> [AgentReply] {
        guard !queueMessage.isEmpty, let ahead = decision.ahead,
            let channel = await engine.entry(for: decision.conversationID).map({ ChannelID(rawValue: $0.request.channelID) }),
            outbound.canDeliver(channel)
        else { return [] }
        let text = queueMessage.replacingOccurrences(of: "{ahead}", with: String(ahead))
            .replacingOccurrences(of: "{position}", with: String(ahead + 1))
        return [reply(text, in: decision.conversationID, channel: channel, as: "system")]
    }

    private func reply(_ text: String, in conversation: ConversationID, channel: ChannelID, as author: String) -> AgentReply {
        let deliver = outbound.canDeliver(channel)
        let identity = outbound.newReply(on: channel)
        return AgentReply(
            messageID: identity.id, conversationID: conversation, author: author, text: text, html: nil, createdAt: Date(),
            deliver: deliver, externalID: deliver ? identity.externalID : nil)
    }

    private func send(_ replies: [AgentReply]) async throws {
        guard !replies.isEmpty else { return }
        _ = try await store.appendReplies(replies)
        if replies.contains(where: \.deliver) { replyQueued() }
    }
}
