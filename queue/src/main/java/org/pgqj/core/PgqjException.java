package org.pgqj.core;

/**
 * Base of every exception pgqueuer-jooq throws on purpose. Messages name the bad value and what to do.
 */
public class PgqjException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** With a message that names the problem and the fix. */
    public PgqjException(String message) {
        super(message);
    }

    /** With a message that names the problem and the fix, and the underlying cause. */
    public PgqjException(String message, Throwable cause) {
        super(message, cause);
    }
}
