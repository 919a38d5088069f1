extension ContactSink {
    /// Stores an authentic contact; when the model refuses it (a validation error: a sender id
    /// longer than any handle, a NUL), keeps it as an `unreadable` record with its raw bytes and
    /// the reason instead.
    ///
    /// For push channels that redeliver until acknowledged: the push is authentic, so refusing
    /// it would only make the platform retry and then give up — the contact would be lost.
    /// Returns the reason when the contact was kept as a record; throws what the store threw
    /// otherwise (retryable errors mean: answer so that the channel retries).
    public func ingestOrKeep(_ contact: InboundContact, summary: String) async throws(IngestError) -> String? {
        do throws(IngestError) {
            _ = try await ingest(contact)
            return nil
        } catch where error.validationError != nil {
            let problem = error.validationError.map { "\($0.field) \($0.reason)" } ?? "\(error)"
            _ = try await record(
                RecordedContact(
                    channelID: contact.channelID, channelKind: contact.channelKind, externalID: contact.externalID,
                    occurredAt: contact.occurredAt, sender: contact.sender, summary: summary.prefix(utf8Bytes: 1024),
                    reason: .unreadable, detail: "not stored as a message: \(problem)".prefix(utf8Bytes: 4000), raw: contact.raw))
            return problem
        }
    }
}
