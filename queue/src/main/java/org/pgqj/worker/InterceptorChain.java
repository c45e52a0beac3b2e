package org.pgqj.worker;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.pgqj.core.Job;

/**
 * One step of a job's interceptor chain ({@link Registration#interceptors()}, outermost first); the last step
 * calls the handler. Every step turns a throw into the {@link JobOutcome} the retry policy and the entrypoint's
 * failure mode decide, so the chain as a whole never throws for a failing job.
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
        boolean hold = registration.options().onFailure() == EntrypointOptions.OnFailure.HOLD;
        if (t instanceof Registration.PayloadFailure e) {
            return JobOutcome.failed(e.getCause(), hold); // an undecodable payload is never retried
        }
        if (context.isCancelled()) {
            return JobOutcome.canceled();
        }
        if (t instanceof RetryRequested retry) {
            return JobOutcome.retried(retry, retry.delay());
        }
        Optional<Duration> delay = registration.options().retryPolicy().delayFor(job.attempts());
        return delay.isPresent() ? JobOutcome.retried(t, delay.get()) : JobOutcome.failed(t, hold);
    }
}
