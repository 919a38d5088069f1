import Foundation

/// Decides whether a chat-like contact continues the customer's latest conversation on a channel.
///
/// A contact continues the latest conversation when that conversation is open and its last
/// activity is within the inactivity window; otherwise it starts a new one. Storage backends call
/// ``decide(latest:at:)`` inside their ingest transaction, so every backend threads alike.
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
