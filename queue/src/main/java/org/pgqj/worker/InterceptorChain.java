package org.pgqj.worker;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.pgqj.core.Job;

/**
 * One step of a job's interceptor chain ({@link Registration#interceptors()}, outermost first); the last step
 * calls the handler. Every step turns a throw into the {@link JobOutcome} the retry policy and the entrypoint's
 * failure mode decide, so the chain as a whole never throws for a failing job. A job whose context timed out
 * ends as a {@link JobTimeoutException} failure however the handler returned; a cancelled or timed-out job's
 * {@link RetryRequested} or {@link SnoozeRequested} does not count.
 */
final class InterceptorChain implements JobInterceptor.Chain {

    private final Registration registration;
    private final Job job;
    private final JobContext context;
    private final int index;
    /** Only the job's thread runs the chain. */
    private boolean proceeded;

    private InterceptorChain(Registration registration, Job job, JobContext context, int index) {
        this.registration = registration;
        this.job = job;
        this.context = context;
        this.index = index;
    }

    /** Runs the whole chain for {@code job} on the calling thread: how the job ended. */
    static JobOutcome run(Registration registration, Job job, JobContext context) {
        return new InterceptorChain(registration, job, context, 0).proceed();
    }

    @Override
    public JobOutcome proceed() {
        List<JobInterceptor> chain = registration.interceptors();
        if (proceeded) {
            throw new IllegalStateException("proceed() called twice for job " + job.id() + " by interceptor "
                    + chain.get(index - 1) + "; a job runs once per claim");
        }
        proceeded = true;
        try {
            if (index == chain.size()) {
                registration.invoker().invoke(job, context);
                if (context.timedOut()) { // it swallowed the interrupt and returned: still a timeout
                    return failure(registration, job, timeout(job, context, null));
                }
                return context.isCancelled() ? JobOutcome.canceled() : JobOutcome.successful();
            }
            JobInterceptor interceptor = chain.get(index);
            JobOutcome outcome = interceptor.intercept(job, context, new InterceptorChain(registration, job, context, index + 1));
            if (outcome == null) {
                throw new IllegalStateException("Interceptor " + interceptor + " returned no outcome for job "
                        + job.id() + "; return what next.proceed() returned");
            }
            return outcome;
        } catch (Throwable t) {
            return classify(t);
        }
    }

    /** What a throw from the handler (or an interceptor) means for the job. */
    private JobOutcome classify(Throwable t) {
        if (t instanceof Registration.PayloadFailure e) {
            return JobOutcome.notRetried(e.getCause(), holds(registration), "the payload does not decode");
        }
        if (context.timedOut()) {
            return failure(registration, job, timeout(job, context, t));
        }
        if (context.isCancelled()) {
            return JobOutcome.canceled();
        }
        if (t instanceof RetryRequested retry) {
            return JobOutcome.retried(retry, retry.delay());
        }
        if (t instanceof SnoozeRequested snooze) {
            return JobOutcome.snoozed(snooze);
        }
        return failure(registration, job, t);
    }

    /**
     * A failure by {@code error} as the entrypoint's retry policy and failure mode decide: not retried when the
     * policy says so ({@link RetryPolicy#notRetried}), else retried while attempts are left, else final. Also the
     * timer thread's, for a handler that ignored its interrupt.
     */
    static JobOutcome failure(Registration registration, Job job, Throwable error) {
        RetryPolicy policy = registration.options().retryPolicy();
        Optional<String> notRetried = policy.notRetried(error);
        if (notRetried.isPresent()) {
            return JobOutcome.notRetried(error, holds(registration), notRetried.get());
        }
        Optional<Duration> delay = policy.delayFor(job.attempts());
        return delay.isPresent() ? JobOutcome.retried(error, delay.get()) : JobOutcome.failed(error, holds(registration));
    }

    /** The failure of a job past its timeout ({@link JobContext#limit}); {@code thrown} (nullable) is what the handler threw. */
    static JobTimeoutException timeout(Job job, JobContext context, Throwable thrown) {
        return new JobTimeoutException(job.id(), job.entrypoint(), context.timeout(), context.timeoutSource(), thrown);
    }

    private static boolean holds(Registration registration) {
        return registration.options().onFailure() == EntrypointOptions.OnFailure.HOLD;
    }
}
