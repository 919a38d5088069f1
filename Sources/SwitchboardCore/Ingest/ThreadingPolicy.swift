import Foundation

/// Decides whether a contact continues one of the customer's conversations on a channel.
///
/// An explicit hint wins: the conversation holding a message the contact replies to (email
/// `In-Reply-To`/`References`), or the one its subject token names, continues when it is still
/// open — however long ago it was active. Without a hint, a chat-like contact continues the
/// latest conversation when that is open and active within the inactivity window; a contact that
/// does not thread by window (email) starts a new one. Storage backends find the candidates and
/// call ``decide(hinted:latest:byInactivityWindow:at:)`` inside their ingest transaction, so every
/// backend threads alike.
public struct ThreadingPolicy: Sendable, Hashable {
    /// How long a conversation may be quiet before a new contact starts a new one. Default 30 min.
    public var inactivityWindow: TimeInterval

    public init(inactivityWindow: TimeInterval = 30 * 60) {
        self.inactivityWindow = inactivityWindow
    }

    /// The facts about a conversation threading needs.
    public struct Candidate: Sendable, Hashable {
        public var id: ConversationID
        public var number: Int64
        public var status: ConversationStatus
        public var lastActivityAt: Date

        public init(id: ConversationID, number: Int64, status: ConversationStatus, lastActivityAt: Date) {
            self.id = id
            self.number = number
            self.status = status
            self.lastActivityAt = lastActivityAt
        }
    }

    /// What to do with a contact.
    public enum Decision: Sendable, Hashable {
        case continueConversation(ConversationID, number: Int64)
        case startNew(Reason)
    }

    /// Why a new conversation was started.
    public enum Reason: String, Sendable, Hashable {
        case noPriorConversation = "no_prior_conversation"
        case lastConversationClosed = "last_conversation_closed"
        case inactivityWindowElapsed = "inactivity_window_elapsed"
        /// The conversation the contact replies to is closed.
        case repliedConversationClosed = "replied_conversation_closed"
        /// Not a reply to anything we know, on a channel that threads only by replies.
        case notAReply = "not_a_reply"
    }

    /// Threads a contact given the conversation its hints point at (same customer and channel)
    /// and the customer's latest conversation on the channel.
    public func decide(hinted: Candidate?, latest: Candidate?, byInactivityWindow: Bool, at time: Date) -> Decision {
        if let hinted {
            guard hinted.status.isOpen else { return .startNew(.repliedConversationClosed) }
            return .continueConversation(hinted.id, number: hinted.number)
        }
        guard byInactivityWindow else { return .startNew(.notAReply) }
        return decide(latest: latest, at: time)
    }

    /// Threads a contact arriving at `time` given the customer's latest conversation on the channel.
    public func decide(latest: Candidate?, at time: Date) -> Decision {
        guard let latest else { return .startNew(.noPriorConversation) }
        guard latest.status.isOpen else { return .startNew(.lastConversationClosed) }
        guard time.timeIntervalSince(latest.lastActivityAt) <= inactivityWindow else {
            return .startNew(.inactivityWindowElapsed)
        }
        return .continueConversation(latest.id, number: latest.number)
    }
}
