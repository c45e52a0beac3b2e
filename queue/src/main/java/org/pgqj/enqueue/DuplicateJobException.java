package org.pgqj.enqueue;

import java.util.List;
import org.pgqj.core.PgqjException;

/**
 * A job's dedupe key is already held by a queued or picked job, and the enqueue used
 * {@link OnConflict#RAISE}. Nothing of the batch was written; the caller's transaction is aborted and
 * must be rolled back.
 */
public class DuplicateJobException extends PgqjException {

    private static final long serialVersionUID = 1L;

    private final List<String> dedupeKeys;

    DuplicateJobException(String message, List<String> dedupeKeys, Throwable cause) {
        super(message, cause);
        this.dedupeKeys = List.copyOf(dedupeKeys);
    }

    /**
     * The conflicting dedupe key when PostgreSQL named it, else every dedupe key of the batch (like
     * pgqueuer's {@code DuplicateJobError.dedupe_key}).
     */
    public List<String> dedupeKeys() {
        return dedupeKeys;
    }
}
