package org.pgqj.worker;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
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
 */
final class JobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    /** An entrypoint and where its outcomes go. */
    private record Route(Registration registration, OutcomeSink sink) {
    }

    private final UUID workerId;
    private final Map<String, Route> routes = new HashMap<>();
    private final OwnedJobs owned;
    private final Wakeup wakeup;
    private final Housekeeping housekeeping;
    private final FailureLog failures;

    JobRunner(UUID workerId, Collection<Registration> registrations, OutcomeSink writer, OutcomeSink withClaim,
              OwnedJobs owned, Wakeup wakeup, Housekeeping housekeeping, FailureLog failures) {
        this.workerId = workerId;
        this.owned = owned;
        this.wakeup = wakeup;
        this.housekeeping = housekeeping;
        this.failures = failures;
        registrations.forEach(r -> routes.put(r.name(), new Route(r, r.holdsSlots() ? withClaim : writer)));
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
        context.attach(Thread.currentThread());
        try {
            JobOutcome outcome = InterceptorChain.run(route.registration(), job, context);
            record(route.sink(), job, outcome);
            failures.failed(job, outcome); // after the outcome is handed on: a log line never holds it back
        } finally {
            context.detach();
            Thread.interrupted(); // a late cancellation must not leak into the next use of this thread
            owned.ended(job.id());
            housekeeping.jobFinished();
            wakeup.jobEnded(route.registration().holdsSlots());
        }
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

    private static CompleteQuery.Outcome done(Job job, PgqueuerStatus status, JSONB traceback) {
        return new CompleteQuery.Outcome(job.id(), status, traceback);
    }
}
