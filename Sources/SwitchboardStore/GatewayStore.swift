import SwitchboardCore
import SwitchboardRouting

/// Everything the gateway needs from a storage backend, in one protocol.
///
/// A backend (SQLite through GRDB, PostgreSQL through PostgresNIO) implements each aggregate's
/// protocol; callers depend only on these, so a backend can be swapped without touching them.
/// Every backend must pass `StoreConformance` from `SwitchboardTesting`.
public protocol GatewayStore: IngestCommitter, ConversationStore, CustomerStore, OutboxStore, TokenStore, RoutingStore,
    KnowledgeStore, RecordStore, TicketStore, ReportStore
{
    /// Brings the schema to the latest version; safe to call on every start.
    func migrate() async throws
    /// Succeeds when the store can serve reads and writes right now (for `/readyz`).
    func ping() async throws
    /// Row counts, for diagnostics and tests.
    func statistics() async throws -> StoreStatistics
    /// Releases connections and files. The store is unusable afterwards.
    func close() async throws
}

/// How many of each thing a store holds.
public struct StoreStatistics: Sendable, Hashable {
    public var customers: Int
    public var conversations: Int
    public var messages: Int
    public var ratings: Int
    public var outboxEntries: Int

    public init(customers: Int, conversations: Int, messages: Int, ratings: Int, outboxEntries: Int) {
        self.customers = customers
        self.conversations = conversations
        self.messages = messages
        self.ratings = ratings
        self.outboxEntries = outboxEntries
    }
}
