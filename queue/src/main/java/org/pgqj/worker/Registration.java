package org.pgqj.worker;

import org.pgqj.core.Job;

/** One registered entrypoint: its name, options and how to invoke its handler. */
record Registration(String name, EntrypointOptions options, Invoker invoker) {

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
