import Foundation
import SwitchboardCore

/// Agent replies on an email conversation leave through the channel's `outbound:` relay, as
/// mail threaded under the customer's own message (see ``MailComposer``).
extension EmailAdapter: OutboundChannelAdapter {
    public var canDeliver: Bool { configuration.outbound != nil }
    public var acknowledgement: Acknowledgement? { configuration.autoReply }

    /// `<sb.{message id}@{messageIDDomain}>`: ours, unique, and the same on every retry.
    public func replyExternalID(for messageID: MessageID) -> String? {
        guard let outbound = configuration.outbound else { return nil }
        return "<sb.\(messageID.rawValue)@\(outbound.messageIDDomain)>"
    }

    public func send(_ delivery: OutboundDelivery) async throws(DeliveryError) {
        guard let outbound = configuration.outbound else {
            throw .permanent("channel \(id) has no outbound relay configured")
        }
        let message = delivery.message
        guard message.recipient.kind == "email", !message.recipient.value.isEmpty else {
            throw .permanent("the conversation's customer handle \(message.recipient) is not an email address")
        }
        let messageID = message.externalID ?? replyExternalID(for: message.messageID) ?? "<sb.\(message.messageID.rawValue)@localhost>"
        let composer = MailComposer(fromAddress: outbound.from, fromName: outbound.fromName, subjectToken: configuration.subjectToken)
        let mail = composer.compose(
            message, attachments: delivery.attachments, recipient: message.recipient.value, messageID: messageID, date: message.createdAt,
            automatic: message.automatic, boundarySeed: message.messageID.rawValue)
        do throws(SMTPClient.Failure) {
            let accepted = try await SMTPClient(settings: outbound).send(from: outbound.from, to: message.recipient.value, message: mail)
            metrics.replies.increment(id.rawValue, "sent")
            logger.debug(
                "reply handed to the relay",
                metadata: ["sb.message": "\(message.messageID)", "sb.relay_answer": "\(accepted)", "sb.attempt": "\(delivery.attempt)"])
        } catch {
            metrics.replies.increment(id.rawValue, error.isPermanent ? "refused" : "deferred")
            throw error.isPermanent ? .permanent(error.description) : .retryable(error.description)
        }
    }
}
