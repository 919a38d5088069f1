/// Group-first assignment: a ticket goes to a group, and the group's available member with the
/// fewest active tickets takes it (ties go to the earlier member in the group's list).
public enum TicketAssigner {
    /// The member to assign, or `nil` when nobody in the group is available.
    public static func pick(members: [String], available: Set<String>, load: [String: Int]) -> String? {
        var best: (agent: String, load: Int)?
        for member in members where available.contains(member) {
            let count = load[member] ?? 0
            if best.map({ count < $0.load }) ?? true { best = (member, count) }
        }
        return best?.agent
    }
}
