package org.pgqj.worker;

import org.pgqj.core.Job;

/**
 * Wraps every handler call of a worker (or of one entrypoint): set up and tear down a context (MDC, a
 * tenant or security context, a tracing span), time the call, and see how it ended.
 *
 * <pre>{@code
 * JobInterceptor timing = (job, ctx, next) -> {
 *     long start = System.nanoTime();
 *     JobOutcome outcome = next.proceed();          // the inner interceptors, then the handler
 *     log.info("{} {} in {} us", job.entrypoint(), outcome.status(), (System.nanoTime() - start) / 1000);
 *     return outcome;
 * };
 * WorkerOptions.builder().interceptor(timing).interceptor("send_email", tenantScope).build() ...
 * }</pre>
 *
 * <p>Order: the worker's own MDC scope ({@code pgqj.job_id}, {@code pgqj.entrypoint}, {@code pgqj.attempt})
 * is outermost, then the worker-wide interceptors of {@link WorkerOptions.Builder#interceptor(JobInterceptor)},
 * then the entrypoint's own ({@link WorkerOptions.Builder#interceptor(String, JobInterceptor)}), each in the order
 * added, then the handler. All run on the job's virtual thread.
 */
@FunctionalInterface
public interface JobInterceptor {

    /**
     * Runs around one handler call.
     *
     * @param job     the claimed job
     * @param context its context (cancellation, worker id)
     * @param next    the rest of the chain; call {@link Chain#proceed()} exactly once to run the job
     * @return the outcome {@code next.proceed()} returned: that is what the worker records
     * @throws Exception to fail the job (recorded as if the handler had thrown it: retried per the
     *                   entrypoint's retry policy, else {@code exception} or held {@code failed})
     */
    JobOutcome intercept(Job job, JobContext context, Chain next) throws Exception;

    /** The rest of the chain for one job. */
    interface Chain {
        /**
         * Runs the inner interceptors and the handler and returns how the job ended; never throws for a
         * failing handler (the failure is in the outcome).
         *
         * @throws IllegalStateException when called a second time for the same job
         */
        JobOutcome proceed();
    }
}
