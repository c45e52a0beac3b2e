package org.pgqj.worker;

import org.pgqj.core.Job;
import org.slf4j.MDC;

/** The outermost interceptor: the job's id, entrypoint and attempt in SLF4J's MDC while it runs. */
final class MdcScope implements JobInterceptor {

    static final String JOB_ID = "pgqj.job_id";
    static final String ENTRYPOINT = "pgqj.entrypoint";
    static final String ATTEMPT = "pgqj.attempt";
    static final MdcScope INSTANCE = new MdcScope();

    private MdcScope() {
    }

    @Override
    public JobOutcome intercept(Job job, JobContext context, Chain next) {
        put(job);
        try {
            return next.proceed();
        } finally {
            clear();
        }
    }

    /** Sets the job's keys on the calling thread (also for the worker's own lines about the job, {@link FailureLog}). */
    static void put(Job job) {
        MDC.put(JOB_ID, Long.toString(job.id()));
        MDC.put(ENTRYPOINT, job.entrypoint());
        MDC.put(ATTEMPT, Integer.toString(job.attempts()));
    }

    /** Removes the keys {@link #put} set. */
    static void clear() {
        MDC.remove(JOB_ID);
        MDC.remove(ENTRYPOINT);
        MDC.remove(ATTEMPT);
    }
}
