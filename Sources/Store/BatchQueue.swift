import NIOConcurrencyHelpers

/// Gathers concurrent requests into batches handled one batch at a time: while a batch runs, new requests queue, and
/// the next batch takes all of them (up to `limit`). This is group commit: on SQLite, whose single writer commits one
/// transaction at a time, a burst of payments shares one transaction and one `fsync` instead of paying for one each.
///
/// `handle` gets the batch's inputs and returns one result per input, in order; each caller gets its own.
public final class BatchQueue<Input: Sendable, Output: Sendable>: Sendable {
    private struct Waiting: Sendable {
        let input: Input
        let continuation: CheckedContinuation<Output, any Error>
    }

    private struct State: Sendable {
        var queue: [Waiting] = []
        var running = false
    }

    private let state = NIOLockedValueBox(State())
    private let limit: Int
    private let handle: @Sendable ([Input]) async -> [Result<Output, any Error>]

    public init(limit: Int = 64, handle: @escaping @Sendable ([Input]) async -> [Result<Output, any Error>]) {
        self.limit = limit
        self.handle = handle
    }

    /// Queues `input` and waits for its batch.
    public func submit(_ input: Input) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let start = state.withLockedValue { state -> Bool in
                state.queue.append(Waiting(input: input, continuation: continuation))
                if state.running { return false }
                state.running = true
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch = state.withLockedValue { state -> [Waiting] in
                let batch = Array(state.queue.prefix(limit))
                state.queue.removeFirst(batch.count)
                if batch.isEmpty { state.running = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let results = await handle(batch.map(\.input))
            for (index, waiting) in batch.enumerated() {
                waiting.continuation.resume(with: index < results.count ? results[index] : .failure(BatchQueueError()))
            }
        }
    }
}

/// A batch handler returned fewer results than inputs: a defect.
public struct BatchQueueError: Error {}
