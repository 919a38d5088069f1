/// Where a pull channel has got to in one of its sources, saved in the same transaction as the
/// contact that got it there.
///
/// Pull adapters (IMAP folders, CDR directories) resume from their checkpoint after a restart.
/// Because concurrent contacts may commit in separate transactions, a checkpoint is a *chain*:
/// each contact names the value it follows (``expected``) and the value it leads to (``value``),
/// and the store moves the checkpoint of (channel, ``scope``) to ``value`` only when it currently
/// holds ``expected`` — for duplicates too. So a stored checkpoint always means "every item up to
/// here is committed": a contact that failed leaves the chain where it was, and whatever comes
/// after it is fetched again (and deduped) on the next round instead of being skipped.
public struct ChannelCheckpoint: Sendable, Hashable, Codable {
    /// The source within the channel (an IMAP folder name, a directory).
    public var scope: String
    /// The checkpoint this contact follows; `nil` for the first contact of a source never seen before.
    public var expected: String?
    /// The checkpoint once this contact is committed.
    public var value: String

    public init(scope: String, expected: String?, value: String) {
        self.scope = scope
        self.expected = expected
        self.value = value
    }
}
