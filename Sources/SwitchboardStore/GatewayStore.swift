import SwitchboardCore

/// Everything the gateway needs from a storage backend, in one protocol.
///
/// A backend (SQLite through GRDB, PostgreSQL through PostgresNIO) implements each aggregate's
/// protocol; callers depend only on these, so a backend can be swapped without touching them.
/// Every backend must pass `StoreConformance` from `SwitchboardTesting`.
public protocol GatewayStore: IngestCommitter, ConversationStore, CustomerStore, OutboxStore, TokenStore {
    /// Brings the schema to the latest version; safe to call on every start.
    func migrate() async throws
    /// Succeeds when the store can serve reads and writes right now (for `/readyz`).
    func ping() async throws
    /// Releases connections and files. The store is unusable afterwards.
    func close() async throws
}
