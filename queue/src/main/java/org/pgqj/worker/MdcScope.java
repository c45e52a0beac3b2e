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
        MDC.put(JOB_ID, Long.toString(job.id()));
        MDC.put(ENTRYPOINT, job.entrypoint());
        MDC.put(ATTEMPT, Integer.toString(job.attempts()));
        try {
            return next.proceed();
        } finally {
            MDC.remove(JOB_ID);
            MDC.remove(ENTRYPOINT);
            MDC.remove(ATTEMPT);
        }
    }
}
