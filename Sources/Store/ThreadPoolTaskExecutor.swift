import NIOPosix

/// Runs the jobs of the tasks that prefer it (`withTaskExecutorPreference`) as work items of a one-thread
/// `NIOThreadPool` — the same pool the SQLite writer connection runs its statements on.
///
/// SQLite's single writer is a chain of short steps: each statement runs on the connection's blocking-I/O thread and
/// the task resumes between statements. On the shared cooperative pool each resumption waits behind every HTTP request
/// being parsed or encoded, and even on a thread of its own each step is a hand-off between two threads. Here the task
/// and its statements take turns on one thread, in order, with no hand-off at all; the operating system shares the
/// cores between that thread and the request handlers.
final class ThreadPoolTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let pool: NIOThreadPool

    /// `pool` must have exactly one thread, or jobs of one task could run at once on two.
    init(pool: NIOThreadPool) {
        self.pool = pool
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pool.submit { state in
            switch state {
            case .active: job.runSynchronously(on: self.asUnownedTaskExecutor())
            // The pool was shut down: the task finishes on the shared pool rather than never.
            case .cancelled: globalConcurrentExecutor.enqueue(job)
            }
        }
    }
}
