package org.pgqj.schema;

/** The queue schema could not be migrated, verified or removed; the message says what to do. */
public class PgqueuerSchemaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** With a message that names the problem and the fix. */
    public PgqueuerSchemaException(String message, Throwable cause) {
        super(message, cause);
    }

    /** With a message that names the problem and the fix. */
    public PgqueuerSchemaException(String message) {
        super(message);
    }
}
