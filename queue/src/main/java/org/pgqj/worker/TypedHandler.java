package org.pgqj.worker;

/**
 * Runs one job given its payload decoded as {@code T} with the worker's payload codec. A payload that
 * does not decode ends the job as {@code exception}, with a traceback naming the type and JSON error.
 *
 * @param <T> the payload record type, annotated with {@code @Entrypoint}
 */
@FunctionalInterface
public interface TypedHandler<T> {

    /** Runs the job; exceptions as for {@link JobHandler#handle}. */
    void handle(T payload, JobContext context) throws Exception;
}
