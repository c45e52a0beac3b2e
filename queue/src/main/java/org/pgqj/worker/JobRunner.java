package org.pgqj.worker;

import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jooq.JSONB;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.Job;
import org.pgqj.internal.queue.CompleteQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each claimed job on a virtual thread of its own: the interceptor chain and the handler
 * ({@link InterceptorChain}), then the outcome into the entrypoint's {@link OutcomeSink}, chosen once at
 * start: a slot-holding entrypoint's outcomes go to the claim loop's sink (written with its next claim), any
 * other's to the writer thread's.
 *
 * <p>Timeouts ({@link EntrypointOptions#timeout()}, or a job's own from its {@link Job#TIMEOUT_HEADER} header): one
 * daemon timer thread per worker, started with the first deadline, holds the deadline of each running job that has a
 * timeout (cancelled when the job ends first). At the deadline it cancels the job's context and interrupts its thread;
 * a handler that returns then records the timeout outcome on its own thread. One still running a grace later ignored
 * the interrupt: the timer thread logs it once; when the outcome is final (held or exception) it records it itself and
 * ends the job's bookkeeping (so it no longer holds a slot or the shutdown), and the handler's late return records
 * nothing ({@link JobContext#takeOutcome()}); when the outcome is a retry, the job keeps running as owned until it
 * returns, so that it never runs twice at once.
 */
final class JobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    /** The longest a handler gets to return after its timeout's interrupt (shorter timeouts: the timeout). */
    private static final Duration MAX_GRACE = Duration.ofSeconds(5);

    /** An entrypoint and where its outcomes go. */
    private record Route(Registration registration, OutcomeSink sink) {
    }

    private final UUID workerId;
    private final Map<String, Route> routes = new HashMap<>();
    private final OwnedJobs owned;
    private final Wakeup wakeup;
    private final Housekeeping housekeeping;
    private final FailureLog failures;
    /** Deadlines and graces; its one thread starts with the first deadline (no timed job, no thread). */
    private final ScheduledThreadPoolExecutor timer;
    /** Jobs past their grace whose handler still runs: put by the timer thread, removed by the job's thread. */
    private final ConcurrentHashMap<Long, Job> overdue = new ConcurrentHashMap<>();

    JobRunner(UUID workerId, Collection<Registration> registrations, OutcomeSink writer, OutcomeSink withClaim,
              OwnedJobs owned, Wakeup wakeup, Housekeeping housekeeping, FailureLog failures) {
        this.workerId = workerId;
        this.owned = owned;
        this.wakeup = wakeup;
        this.housekeeping = housekeeping;
        this.failures = failures;
        registrations.forEach(r -> routes.put(r.name(), new Route(r, r.holdsSlots() ? withClaim : writer)));
        this.timer = timer(workerId);
    }

    private static ScheduledThreadPoolExecutor timer(UUID workerId) {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().name("pgqj-timeouts-" + workerId).daemon().unstarted(r));
        t.setRemoveOnCancelPolicy(true); // a job that ends in time takes its deadline out of the queue at once
        t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return t;
    }

    /** The claim loop: runs {@code job} on a new virtual thread. */
    void start(Job job) {
        Route route = routes.get(job.entrypoint());
        JobContext context = new JobContext(job, workerId);
        owned.started(job.id(), context);
        wakeup.jobStarted();
        Thread.ofVirtual().name("pgqj-job-" + job.id()).start(() -> run(route, job, context));
    }

    private void run(Route route, Job job, JobContext context) {
        long started = System.nanoTime();
        context.attach(Thread.currentThread());
        ScheduledFuture<?> deadline = timeout(route.registration(), job, context)
                .flatMap(timeout -> schedule(() -> deadline(route, job, context, timeout), timeout))
                .orElse(null);
        JobOutcome outcome = null;
        try {
            outcome = InterceptorChain.run(route.registration(), job, context);
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
            context.detach();
            Thread.interrupted(); // a late cancellation must not leak into the next use of this thread
            if (context.takeOutcome()) {
                end(route, job, outcome);
            } else if (overdue.remove(job.id()) != null) {
                MdcScope.put(job);
                try {
                    LOG.info("Job {} ({}) returned {} after it started, past its timeout and grace; its timeout "
                            + "outcome was recorded then, so this ending ({}) is not", job.id(), job.entrypoint(),
                            FailureLog.human(Duration.ofNanos(System.nanoTime() - started)), outcome);
                } finally {
                    MdcScope.clear();
                }
            }
        }
    }

    /** Records {@code outcome} (none if the chain threw) and ends the job's bookkeeping; once per job. */
    private void end(Route route, Job job, JobOutcome outcome) {
        try {
            if (outcome != null) {
                record(route.sink(), job, outcome);
                failures.failed(job, outcome); // after the outcome is handed on: a log line never holds it back
            }
        } finally {
            owned.ended(job.id());
            housekeeping.jobFinished();
            wakeup.jobEnded(route.registration().holdsSlots());
        }
    }

    /** The timer thread at {@code job}'s deadline: cancel and interrupt it, and check on it after the grace. */
    private void deadline(Route route, Job job, JobContext context, Duration timeout) {
        if (!context.timeOut()) {
            return; // cancelled first: that outcome stands
        }
        Duration grace = timeout.compareTo(MAX_GRACE) < 0 ? timeout : MAX_GRACE;
        schedule(() -> pastGrace(route, job, context, timeout, grace), grace);
    }

    /**
     * The job thread: {@code job}'s timeout, also set on its context. Its {@link Job#TIMEOUT_HEADER} header wins over
     * the entrypoint's timeout; a header that is no timeout is logged (WARN, the job's id and the value) and the
     * entrypoint's is used: the job still runs, as it would have without the header.
     */
    private static Optional<Duration> timeout(Registration registration, Job job, JobContext context) {
        Optional<Duration> own = registration.options().timeout();
        if (job.headers().isEmpty()) { // most jobs: no header to read
            own.ifPresent(t -> context.limit(t, "its entrypoint's timeout"));
            return own;
        }
        Optional<Duration> fromHeader = job.headerTimeout();
        if (fromHeader.isPresent()) {
            context.limit(fromHeader.get(), "its " + Job.TIMEOUT_HEADER + " header");
            return fromHeader;
        }
        Object value = job.headers().get(Job.TIMEOUT_HEADER);
        if (value != null) {
            MdcScope.put(job);
            try {
                LOG.warn("Job {} ({}) has header {} = {}, which is no timeout (a positive ISO-8601 duration such as "
                        + "\"PT30S\", or a number of seconds, at most {}); it runs with {} instead", job.id(),
                        job.entrypoint(), Job.TIMEOUT_HEADER, value instanceof String ? "\"" + value + "\"" : value,
                        Job.MAX_TIMEOUT, own.map(t -> "its entrypoint's timeout of " + FailureLog.human(t)).orElse("no timeout"));
            } finally {
                MdcScope.clear();
            }
        }
        own.ifPresent(t -> context.limit(t, "its entrypoint's timeout"));
        return own;
    }

    /** {@code task} on the timer thread after {@code delay}; empty once the worker stopped (its jobs are left picked). */
    private Optional<ScheduledFuture<?>> schedule(Runnable task, Duration delay) {
        try {
            return Optional.of(timer.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("The timer thread failed; the job it handled may stay picked until re-claimed", e);
                }
            }, delay.toNanos(), TimeUnit.NANOSECONDS));
        } catch (RejectedExecutionException e) {
            return Optional.empty();
        }
    }

    /**
     * The timer thread, a grace after {@code job}'s deadline: if its handler has not returned, it ignored the
     * interrupt. Logged once; its timeout outcome is recorded here, so its slot, its place in the worker's count
     * and the shutdown no longer wait for it.
     */
    private void pastGrace(Route route, Job job, JobContext context, Duration timeout, Duration grace) {
        if (context.outcomeTaken()) {
            return; // it returned in time and recorded the timeout itself
        }
        JobTimeoutException timedOut = InterceptorChain.timeout(job, context, null);
        JobOutcome outcome = InterceptorChain.failure(route.registration(), job, timedOut);
        if (outcome.status() == JobOutcome.Status.RETRIED) {
            // a retry written now would let this or another worker run the job again while this run goes on:
            // the job keeps its row, slot and place until its handler returns, and records the retry then
            MdcScope.put(job);
            try {
                LOG.warn("Job {} ({}) still running {} after its timeout of {}; its retry is recorded when the handler "
                        + "returns, so the job never runs twice at once (it keeps its slot until then)",
                        job.id(), job.entrypoint(), FailureLog.human(grace), FailureLog.human(timeout));
            } finally {
                MdcScope.clear();
            }
            return;
        }
        overdue.put(job.id(), job); // before the take: a return right after it finds the job here
        if (!context.takeOutcome()) {
            overdue.remove(job.id());
            return; // it returned meanwhile and recorded the timeout itself
        }
        MdcScope.put(job);
        try {
            LOG.warn("Job {} ({}) still running {} after its timeout of {}; it keeps its thread but no longer holds up "
                    + "shutdown beyond its timeout. Its timeout outcome is recorded now; what it returns later is not",
                    job.id(), job.entrypoint(), FailureLog.human(grace), FailureLog.human(timeout));
        } finally {
            MdcScope.clear();
        }
        StackTraceElement[] stuckAt = context.stackTrace();
        if (stuckAt.length > 0) {
            timedOut.setStackTrace(stuckAt); // the traceback shows where the handler is stuck, not this thread
        }
        end(route, job, outcome);
    }

    /** Handlers past their timeout and grace that still run (their outcome is recorded), by id. */
    List<Job> overdue() {
        return overdue.values().stream().sorted(Comparator.comparingLong(Job::id)).toList();
    }

    /** Stops the timer thread (worker stop, after the running jobs were waited for). */
    void close() {
        timer.shutdownNow();
    }

    /** The outcome as the row will record it, into {@code sink}. */
    private void record(OutcomeSink sink, Job job, JobOutcome outcome) {
        boolean accepted = switch (outcome.status()) {
            case SUCCESSFUL -> sink.accept(done(job, PgqueuerStatus.successful, null));
            case CANCELED -> sink.accept(done(job, PgqueuerStatus.canceled, null));
            case RETRIED -> {
                Throwable cause = outcome.error().orElseThrow();
                Duration delay = outcome.retryDelay().orElseThrow();
                String reason = cause instanceof RetryRequested r ? r.reason() : String.valueOf(cause);
                yield sink.accept(new OutcomeBuffer.Retry(job.id(), delay,
                        Traceback.ofRetry(job, cause, workerId, delay, reason)));
            }
            case SNOOZED -> {
                Duration delay = outcome.retryDelay().orElseThrow();
                logSnooze(job, delay, outcome.snoozeReason().orElseThrow());
                yield sink.accept(OutcomeBuffer.Retry.snooze(job.id(), delay));
            }
            case EXCEPTION, HELD -> {
                Throwable error = outcome.error().orElseThrow();
                yield sink.accept(done(job, outcome.status() == JobOutcome.Status.HELD ? PgqueuerStatus.failed
                        : PgqueuerStatus.exception, Traceback.of(job, error, workerId)));
            }
        };
        if (!accepted) {
            // one of the jobs RunningWorker.stop named in its one line: interrupted at the shutdown timeout
            LOG.debug("Job {} ended after the worker stopped writing; it stays picked for re-run", job.id());
        }
    }

    /**
     * A snooze is the handler's own routine decision, as frequent as it makes it (a poll of a partner every
     * minute), and not a failure: DEBUG, like a success, not the failure log; {@code pgqj.jobs.snoozed} counts them.
     */
    private static void logSnooze(Job job, Duration delay, String reason) {
        if (LOG.isDebugEnabled()) {
            MdcScope.put(job);
            try {
                LOG.debug("Job {} ({}, attempts {}) snoozed for {}{}", job.id(), job.entrypoint(), job.attempts(),
                        FailureLog.human(delay), reason.isEmpty() ? "" : ": " + reason);
            } finally {
                MdcScope.clear();
            }
        }
    }

    private static CompleteQuery.Outcome done(Job job, PgqueuerStatus status, JSONB traceback) {
        return new CompleteQuery.Outcome(job.id(), status, traceback);
    }
}
