import Foundation
import Logging
import ServiceLifecycle
import SwitchboardCore
import SwitchboardStore

/// Sends channels' automatic acknowledgements (see ``Acknowledgement``): reads `contact.ingested`
/// events that opened a conversation on a channel that acknowledges, and queues one reply each,
/// through the outbox like any reply.
///
/// The replies and the consumer's position are written in one transaction, so each conversation
/// is acknowledged once — not zero times after a crash, not twice after a restart — and the store
/// leaves out customers acknowledged within the channel's window. Run only when some channel
/// acknowledges; on its first run it starts from the end of the log, so turning the feature on
/// does not acknowledge old conversations.
struct AcknowledgementConsumer: Service {
    static let name = "acknowledgements"

    let store: any GatewayStore
    let acknowledgements: [ChannelID: Acknowledgement]
    let outbound: OutboundChannels
    let wakeup: Wakeup
    let pollInterval: Duration
    let replyQueued: @Sendable () -> Void
    let logger: Logger
    var batchSize = 500

    func run() async throws {
        var position = try await startPosition()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let events = try await store.events(after: position, limit: batchSize)
                guard let last = events.last else {
                    await wakeup.wait(timeout: pollInterval)
                    continue
                }
                let replies = try await acknowledgementReplies(events)
                let stored = try await store.appendAcknowledgements(
                    replies, window: acknowledgements.mapValues(\.window), consumer: Self.name, position: last.position)
                position = last.position
                if !stored.isEmpty {
                    replyQueued()
                    logger.debug("acknowledgements queued", metadata: ["sb.count": "\(stored.count)", "sb.skipped": "\(replies.count - stored.count)"])
                }
            } catch {
                logger.error("acknowledgement consumer failed; retrying in 1 s", metadata: ["sb.error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func startPosition() async throws -> Int64 {
        let saved = try await store.consumerPosition(Self.name)
        guard saved == 0 else { return saved }
        let end = Int64(try await store.outboxDepth().events)
        _ = try await store.appendAcknowledgements([], window: [:], consumer: Self.name, position: end)
        return end
    }

    private func acknowledgementReplies(_ events: [OutboxEvent]) async throws -> [AgentReply] {
        struct Payload: Decodable {
            var channelId: String
            var newConversation: Bool?
        }
        let decoder = JSONDecoder()
        var replies: [AgentReply] = []
        for event in events where event.topic == "contact.ingested" {
            guard let conversation = event.conversationID,
                let payload = try? decoder.decode(Payload.self, from: Data(event.payload.utf8)), payload.newConversation == true
            else { continue }
            let channel = ChannelID(rawValue: payload.channelId)
            guard let acknowledgement = acknowledgements[channel], outbound.canDeliver(channel),
                let detail = try await store.conversation(conversation)
            else { continue }
            let identity = outbound.newReply(on: channel)
            replies.append(
                AgentReply(
                    messageID: identity.id, conversationID: conversation, author: Acknowledgement.author,
                    text: acknowledgement.text.replacingOccurrences(of: "{number}", with: String(detail.conversation.number)),
                    html: nil, createdAt: Date(), deliver: true, externalID: identity.externalID, automatic: true))
        }
        return replies
    }
}
