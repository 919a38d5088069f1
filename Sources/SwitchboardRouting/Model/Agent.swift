import SwitchboardCore

/// A person who answers conversations, as an administrator defines them.
///
/// Skills carry a level 1-10 (`{"presales": 5}`) used by the skill strategy; capacity bounds how
/// many open conversations routing gives the agent at once. Group membership is kept on the
/// groups (their member order is the round-robin order), not here.
public struct Agent: Sendable, Hashable, Codable {
    public var id: AgentID
    public var name: String
    public var skills: [String: Int]
    public var capacity: Int

    public init(id: AgentID, name: String, skills: [String: Int] = [:], capacity: Int) {
        self.id = id
        self.name = name
        self.skills = skills
        self.capacity = capacity
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(AgentID.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        skills = try container.decodeIfPresent([String: Int].self, forKey: .skills) ?? [:]
        capacity = try container.decode(Int.self, forKey: .capacity)
    }

    /// Every problem with the definition, each naming its field.
    public func validate() throws(ValidationError) {
        guard AgentID.isValid(id.rawValue) else { throw ValidationError(field: "id", reason: AgentID.rule) }
        try InboundContact.checkIdentifier(name, field: "name", maxBytes: 200)
        guard (0...1000).contains(capacity) else {
            throw ValidationError(field: "capacity", reason: "must be an integer 0-1000")
        }
        for (skill, level) in skills {
            guard !skill.isEmpty, skill.utf8.count <= 64 else {
                throw ValidationError(field: "skills", reason: "skill names must be 1-64 bytes")
            }
            guard (1...10).contains(level) else {
                throw ValidationError(field: "skills.\(skill)", reason: "must be a level 1-10")
            }
        }
    }
}

/// Whether an agent takes new conversations.
///
/// `away` keeps the agent's conversations but takes no new ones; `offline` also hands their
/// conversations back to the queue when their group says so (``OfflinePolicy``).
public enum Presence: String, Sendable, Hashable, Codable, CaseIterable {
    case online
    case away
    case offline
}
