import CarteraSecurity

/// Appends audit entries that stand on their own (login attempts, token requests, denials) with group commit:
/// entries that arrive while a write is in progress are written together in the next transaction.
///
/// Each caller still waits until its entry is committed. Entries that belong to a business change do not use this:
/// they are appended with `AuditLog.append` inside that change's transaction.
public actor AuditWriter {
    private let database: Database
    private var pending: [(entry: AuditEntry, done: CheckedContinuation<Void, any Error>)] = []
    private var flushing = false

    public init(database: Database) {
        self.database = database
    }

    /// Appends `entry` (its sequence and hashes are set when written) and returns once it is committed.
    public func append(_ entry: AuditEntry) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            pending.append((entry, done))
            if !flushing {
                flushing = true
                Task { await flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = pending
            pending.removeAll()
            let entries = batch.map(\.entry)
            do {
                try await database.transaction { db in
                    for entry in entries { _ = try await AuditLog.append(entry, on: db) }
                }
                for item in batch { item.done.resume() }
            } catch {
                for item in batch { item.done.resume(throwing: error) }
            }
        }
        flushing = false
    }
}
