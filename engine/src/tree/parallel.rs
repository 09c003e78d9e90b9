//! Running file copies on worker threads while keeping directories ordered.
//!
//! The walker stays on the calling thread: it reads directories and creates them in walk order,
//! and hands each file copy to an [`Executor`]. With one job the executor runs the copy at once
//! (the order of a serial `shutil.copytree`); with N it queues it for N workers, each running
//! under a clone of the caller's [`SyscallRecorder`] so the counts of the whole copy add up.
//!
//! Workers take jobs from one MPMC channel (crossbeam's: each worker holds its own receiver, so
//! no lock is held while a worker waits). With `isolate`, each worker first gets its own
//! descriptor table and umask (`isolation.rs`); its jobs must then carry no descriptor.
//!
//! A running job can hand part of its work on through a [`Spawner`] when a worker is waiting
//! with nothing queued (splitting where the work is, as rayon's adaptive splitting does): the
//! walker can then give each job a whole directory, and no worker idles while another still has
//! files to copy, at the start of a walk, in its last directory, or in a tree of one directory.
//!
//! A directory's times and mode must be set after everything inside it is written (writing a
//! child changes the parent's mtime; a read-only mode would forbid the writes). Each directory
//! has a [`DirCompletion`]: it counts what is still running inside it, and the last piece to
//! finish runs the directory's metadata step, then tells its parent.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crossbeam_channel::{bounded, Receiver, Sender};

use crate::sys::SyscallRecorder;

/// A unit of work for a worker: one file's copy.
pub(crate) type Job<'s> = Box<dyn FnOnce() + Send + 's>;

/// Runs jobs inline (one job) or on a pool of worker threads.
pub(crate) enum Executor<'s> {
    Inline,
    Pool(Spawner<'s>),
}

/// What queues jobs for the workers; a job may hold one to hand on part of its own work.
///
/// The workers stop once the channel is closed, which is when the walker's spawner and those
/// held by jobs (queued or running) are all dropped: a job that splits queues the new one
/// before it lets go of its own spawner, so no work is left behind.
#[derive(Clone)]
pub(crate) struct Spawner<'s> {
    queue: Sender<Job<'s>>,
    /// Workers waiting for a job.
    idle: Arc<AtomicUsize>,
}

impl<'s> Spawner<'s> {
    /// Whether a worker is waiting and nothing is queued for it: then a job that splits off
    /// part of its work has it picked up at once.
    pub(crate) fn has_idle_worker(&self) -> bool {
        self.idle.load(Ordering::Relaxed) > 0 && self.queue.is_empty()
    }

    /// Queues `job` (waiting while the queue is full, which bounds the number of directories
    /// held open by queued jobs).
    pub(crate) fn submit(&self, job: Job<'s>) {
        // Sending fails only if every worker is gone (a worker panicked); then the caller does
        // the work itself rather than lose it.
        if let Err(crossbeam_channel::SendError(job)) = self.queue.send(job) {
            job()
        }
    }
}

impl<'s> Executor<'s> {
    /// Runs `job` now, or queues it for the workers.
    pub(crate) fn submit(&self, job: Job<'s>) {
        match self {
            Executor::Inline => job(),
            Executor::Pool(spawner) => spawner.submit(job),
        }
    }

    /// Whether jobs run on worker threads (then, with `isolate`, on other descriptor tables).
    pub(crate) fn is_pool(&self) -> bool {
        matches!(self, Executor::Pool(_))
    }

    /// A spawner for a job to take along, with worker threads.
    pub(crate) fn spawner(&self) -> Option<Spawner<'s>> {
        match self {
            Executor::Inline => None,
            Executor::Pool(spawner) => Some(spawner.clone()),
        }
    }
}

/// Jobs queued ahead of the workers: enough to keep them busy, few enough that the directories
/// they keep open stay far below the descriptor limit.
const QUEUE_DEPTH: usize = 256;

/// A worker thread the kernel would not start (`EAGAIN` under a process limit, `ENOMEM`).
#[derive(Debug)]
pub(crate) struct SpawnError {
    /// Workers that did start (and were stopped again).
    pub started: usize,
    pub wanted: usize,
    pub error: std::io::Error,
}

/// Calls `walk` with an executor for `jobs` threads, and returns once every job has run. A
/// worker that cannot be started is an error, before anything is walked (the workers already
/// started are stopped and joined), never a panic. `isolate`: each worker first takes its own
/// descriptor table and umask (`isolation::isolate_worker`).
pub(crate) fn with_executor<'s, T>(
    jobs: usize,
    isolate: bool,
    walk: impl FnOnce(&Executor<'s>) -> T,
) -> Result<T, SpawnError> {
    if jobs <= 1 {
        return Ok(walk(&Executor::Inline));
    }
    let recorder = SyscallRecorder::current();
    let (queue, inbox) = bounded::<Job<'s>>(QUEUE_DEPTH);
    let idle = Arc::new(AtomicUsize::new(0));
    std::thread::scope(|scope| {
        for started in 0..jobs {
            let recorder = recorder.clone();
            let inbox: Receiver<Job<'s>> = inbox.clone();
            let idle = Arc::clone(&idle);
            let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
                let _guard = recorder.as_ref().map(SyscallRecorder::install);
                if isolate {
                    super::isolation::isolate_worker();
                }
                loop {
                    idle.fetch_add(1, Ordering::Relaxed);
                    let job = inbox.recv();
                    idle.fetch_sub(1, Ordering::Relaxed);
                    match job {
                        Ok(job) => job(),
                        // Closed: every spawner is gone, so no job is left anywhere.
                        Err(_) => break,
                    }
                }
            });
            if let Err(error) = spawned {
                // Dropping the sender stops the workers already started; the scope joins them.
                drop(queue);
                return Err(SpawnError {
                    started,
                    wanted: jobs,
                    error,
                });
            }
        }
        // Only the workers receive: the walker's copy would keep the channel open.
        drop(inbox);
        let executor = Executor::Pool(Spawner { queue, idle });
        let result = walk(&executor);
        // Dropping the sender lets the workers drain the queue and stop; the scope joins them.
        drop(executor);
        Ok(result)
    })
}

/// Counts what is still unfinished inside one directory (its files being copied, its
/// subdirectories, and the walker itself until it has listed every entry).
pub(crate) struct DirCompletion<'s> {
    pending: AtomicUsize,
    on_done: Mutex<Option<Job<'s>>>,
    /// Taken when this directory completes, so a finished chain of directories is never
    /// dropped (or released) recursively, however deep the tree.
    parent: Mutex<Option<Arc<DirCompletion<'s>>>>,
}

impl<'s> DirCompletion<'s> {
    /// The completion of the tree's top directory, held by the walker.
    pub(crate) fn root() -> Arc<DirCompletion<'s>> {
        DirCompletion::held_by_walker(None)
    }

    /// A subdirectory's completion, held by the walker; the parent waits for it.
    pub(crate) fn child(self: &Arc<Self>) -> Arc<DirCompletion<'s>> {
        self.hold();
        DirCompletion::held_by_walker(Some(Arc::clone(self)))
    }

    /// One pending piece: the walker, until it has listed every entry.
    fn held_by_walker(parent: Option<Arc<DirCompletion<'s>>>) -> Arc<DirCompletion<'s>> {
        Arc::new(DirCompletion {
            pending: AtomicUsize::new(1),
            on_done: Mutex::new(None),
            parent: Mutex::new(parent),
        })
    }

    /// One more piece of work inside this directory (call before submitting it).
    pub(crate) fn hold(&self) {
        self.pending.fetch_add(1, Ordering::AcqRel);
    }

    /// A piece of work inside this directory is done; the last one runs the metadata step,
    /// then counts as one piece done in the parent, and so on up: a loop, not a recursion, so
    /// a deep chain of directories completing at once needs no stack.
    pub(crate) fn release(self: &Arc<Self>) {
        let mut current = Arc::clone(self);
        while current.pending.fetch_sub(1, Ordering::AcqRel) == 1 {
            let on_done = current
                .on_done
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            if let Some(on_done) = on_done {
                on_done();
            }
            let parent = current
                .parent
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            match parent {
                Some(parent) => current = parent,
                None => break,
            }
        }
    }

    /// The walker has listed every entry: `on_done` runs once the work inside has finished
    /// (at once when there is none left).
    pub(crate) fn finish(self: &Arc<Self>, on_done: Job<'s>) {
        *self.on_done.lock().unwrap_or_else(|e| e.into_inner()) = Some(on_done);
        self.release();
    }

    /// The walker gives up on this directory without a metadata step (it could not be created).
    pub(crate) fn abandon(self: &Arc<Self>) {
        self.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_thousands_deep_completes_without_recursing() {
        let done = std::sync::atomic::AtomicUsize::new(0);
        let done = &done;
        with_executor(1, false, |_| {
            let root = DirCompletion::root();
            let mut chain = vec![Arc::clone(&root)];
            for _ in 0..100_000 {
                let child = chain.last().unwrap().child();
                chain.push(child);
            }
            // Finish from the root down: nothing completes until the deepest one does, then
            // the whole chain completes in one release.
            for c in &chain {
                c.finish(Box::new(move || {
                    done.fetch_add(1, Ordering::Relaxed);
                }));
            }
            assert_eq!(done.load(Ordering::Relaxed), chain.len());
        })
        .unwrap();
    }

    #[test]
    fn a_directory_finishes_after_its_files_and_subdirectories() {
        for jobs in [1, 4] {
            let log = Mutex::new(Vec::new());
            with_executor(jobs, false, |executor| {
                let root = DirCompletion::root();
                let sub = root.child();
                for i in 0..20 {
                    sub.hold();
                    let (sub, log) = (Arc::clone(&sub), &log);
                    executor.submit(Box::new(move || {
                        log.lock().unwrap().push(format!("file{i}"));
                        sub.release();
                    }));
                }
                let log_ref = &log;
                sub.finish(Box::new(move || log_ref.lock().unwrap().push("sub".into())));
                root.finish(Box::new(move || {
                    log_ref.lock().unwrap().push("root".into())
                }));
            })
            .unwrap();
            let log = log.into_inner().unwrap();
            assert_eq!(log.len(), 22);
            assert_eq!(log[20], "sub", "jobs={jobs}: {log:?}");
            assert_eq!(log[21], "root", "jobs={jobs}: {log:?}");
        }
    }

    #[test]
    fn a_running_job_hands_work_to_a_waiting_worker() {
        let ran_on = Mutex::new(Vec::new());
        let ran_on = &ran_on;
        with_executor(2, false, |executor| {
            let spawner = executor.spawner().expect("two jobs: a pool");
            executor.submit(Box::new(move || {
                // The only job: the other worker is (or soon is) waiting for one.
                let waited = std::time::Instant::now();
                while !spawner.has_idle_worker() {
                    assert!(waited.elapsed().as_secs() < 60, "no worker ever waited");
                    std::thread::yield_now();
                }
                let parent = std::thread::current().id();
                let (done_tx, done_rx) = std::sync::mpsc::channel();
                spawner.submit(Box::new(move || {
                    ran_on.lock().unwrap().push(std::thread::current().id());
                    done_tx.send(()).unwrap();
                }));
                // Waiting here keeps this worker busy: only the other one can run the split.
                done_rx.recv().unwrap();
                ran_on.lock().unwrap().push(parent);
            }));
        })
        .unwrap();
        let ran_on = ran_on.lock().unwrap();
        assert_eq!(
            ran_on.len(),
            2,
            "both the split and the rest ran before the pool stopped"
        );
        assert_ne!(ran_on[0], ran_on[1], "the split ran on the waiting worker");
    }

    #[test]
    fn inline_jobs_have_no_spawner() {
        with_executor(1, false, |executor| assert!(executor.spawner().is_none())).unwrap();
    }

    #[test]
    fn workers_count_into_the_callers_recorder() {
        let recorder = SyscallRecorder::new();
        recorder.run(|| {
            with_executor(3, false, |executor| {
                for _ in 0..10 {
                    executor.submit(Box::new(|| {
                        let _ = crate::sys::fstat(rustix::fs::CWD);
                    }));
                }
            })
            .unwrap()
        });
        assert_eq!(recorder.counts().get(crate::sys::Syscall::Fstat), 10);
    }
}
