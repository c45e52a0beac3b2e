package org.pgqj.payload;

import org.pgqj.core.PgqjException;

/** A payload could not be encoded or decoded; the message names the type and the JSON error. */
public class PayloadException extends PgqjException {

    private static final long serialVersionUID = 1L;

    /** With a message naming the type and the problem. */
    public PayloadException(String message) {
        super(message);
    }

    /** With a message naming the type and the problem, and the JSON error. */
    public PayloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
