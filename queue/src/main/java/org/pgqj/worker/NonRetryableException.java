package org.pgqj.worker;

/**
 * Thrown by a handler (or wrapping what it caught) when retrying cannot help: a card the acquirer declined, a
 * payload that breaks a business rule. The job fails for good at once, whatever attempts its
 * {@link RetryPolicy} has left: held {@code failed} or deleted and logged {@code exception}, per its entrypoint's
 * {@link EntrypointOptions.OnFailure}, exactly as pgqueuer records a final failure. The failure log line says
 * "not retried: NonRetryableException". For exceptions you do not own, see
 * {@link RetryPolicy#noRetryFor(Class[])} and {@link RetryPolicy#retryOn(java.util.function.Predicate)}.
 *
 * <pre>{@code
 * if (response.status() == 402) {
 *     throw new NonRetryableException("card declined: " + response.reason());
 * }
 * }</pre>
 *
 * <p>Subclass it for failures of your own that are never retried.
 */
public class NonRetryableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** With a message saying why the job cannot succeed. */
    public NonRetryableException(String message) {
        super(message);
    }

    /** With a message, wrapping the failure that cannot be retried. */
    public NonRetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
