import SwitchboardCore

/// Why a routing change was refused, with a message an administrator can act on.
public enum RoutingError: Error, Hashable, Sendable, CustomStringConvertible, HTTPStatusProviding {
    case unknownAgent(AgentID)
    case unknownGroup(GroupID)
    case unknownConversation(ConversationID)
    case alreadyRouted(ConversationID)
    case agentAtCapacity(AgentID)
    case agentNotOnline(AgentID)
    case groupInUse(GroupID, reason: String)
    case invalid(ValidationError)

    public var description: String {
        switch self {
        case .unknownAgent(let id): "no agent '\(id)'"
        case .unknownGroup(let id): "no group '\(id)'"
        case .unknownConversation(let id): "conversation \(id) is not open in routing"
        case .alreadyRouted(let id): "conversation \(id) is already routed"
        case .agentAtCapacity(let id):
            "agent '\(id)' is at capacity; an admin may force the transfer with \"force\": true"
        case .agentNotOnline(let id):
            "agent '\(id)' is not online; an admin may force the transfer with \"force\": true"
        case .groupInUse(let id, let reason): "group '\(id)' is still in use: \(reason)"
        case .invalid(let error): error.description
        }
    }

    /// The offending field of a refused definition.
    public var field: String? {
        if case .invalid(let error) = self { return error.field }
        return nil
    }

    public var httpStatus: Int {
        switch self {
        case .unknownAgent, .unknownGroup, .unknownConversation: 404
        case .alreadyRouted, .agentAtCapacity, .agentNotOnline, .groupInUse: 409
        case .invalid: 400
        }
    }
}
