package org.pgqj.spring.autoconfigure;

import org.pgqj.core.PgqjException;

/** The pgqj configuration of a Spring app is wrong; the message names the bean or property and the fix. */
public class PgqjStartupException extends PgqjException {

    private static final long serialVersionUID = 1L;

    /** With a message that names the bad bean or property and says what to do. */
    public PgqjStartupException(String message) {
        super(message);
    }

    /** As {@link #PgqjStartupException(String)}, with the cause. */
    public PgqjStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
