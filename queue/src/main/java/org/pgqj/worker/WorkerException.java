package org.pgqj.worker;

import org.pgqj.core.PgqjException;

/** A worker was configured wrongly or could not start; the message names the value and the fix. */
public class WorkerException extends PgqjException {

    private static final long serialVersionUID = 1L;

    /** With a message naming the problem. */
    public WorkerException(String message) {
        super(message);
    }

    /** With a message naming the problem, and its cause. */
    public WorkerException(String message, Throwable cause) {
        super(message, cause);
    }
}
