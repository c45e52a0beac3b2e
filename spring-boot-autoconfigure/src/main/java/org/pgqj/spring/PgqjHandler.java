package org.pgqj.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a bean method the handler of one entrypoint on the auto-configured worker.
 *
 * <p>The method takes the payload and, optionally, the job's context, in any order:
 * <ul>
 *   <li>a record (or any class Jackson reads) decoded from the job's JSON payload with the queue's
 *       {@code PayloadCodec}; if the type carries {@code @Entrypoint}, its name must equal this one;</li>
 *   <li>{@code org.pgqj.core.Job} for the raw row (payload bytes, headers, attempts);</li>
 *   <li>{@code org.pgqj.worker.JobContext} (cancellation, the job, the worker id).</li>
 * </ul>
 * Returning normally marks the job successful; an exception ends it as pgqueuer does (or retries it,
 * see {@code pgqj.entrypoints.<name>.retry.*}). On a {@code JobHandler} bean the annotation names the
 * entrypoint of the whole bean.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface PgqjHandler {

    /** The entrypoint name, as Python's {@code @pgq.entrypoint("...")} would register it. */
    String value();
}
