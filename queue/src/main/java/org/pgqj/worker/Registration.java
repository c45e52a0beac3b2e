package org.pgqj.worker;

import java.util.List;
import org.pgqj.core.Job;

/**
 * One registered entrypoint: its name, options, how to invoke its handler, and the interceptors around
 * each call, outermost first.
 */
record Registration(String name, EntrypointOptions options, Invoker invoker, List<JobInterceptor> interceptors) {

    Registration {
        interceptors = List.copyOf(interceptors);
    }

    /**
     * Whether its jobs hold a concurrency slot (a global concurrency limit): a finished one frees its slot only
     * once its outcome is written.
     */
    boolean holdsSlots() {
        return options.effectiveConcurrencyLimit() > 0;
    }

    Registration withInterceptors(List<JobInterceptor> chain) {
        return new Registration(name, options, invoker, chain);
    }

    /** Calls the handler; a {@link PayloadFailure} means the payload did not decode. */
    @FunctionalInterface
    interface Invoker {
        void invoke(Job job, JobContext context) throws Exception;
    }

    /** The payload of a typed entrypoint could not be decoded: terminal, never retried. */
    static final class PayloadFailure extends Exception {
        private static final long serialVersionUID = 1L;

        PayloadFailure(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }
}
