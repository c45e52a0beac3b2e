package org.pgqj.admin;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Which workers are alive now, of which language, serving what: the answer of {@link QueueInspection#liveWorkers}.
 *
 * @param workers          the workers with a session on the database now, Java ones first (by id), then Python
 *                         ones (by process id)
 * @param unattributedJobs queue managers holding picked jobs that no live Java worker carries: Python workers'
 *                         (whose sessions do not name their queue manager id), or Java workers whose LISTEN
 *                         connection is down or that run poll-only; ordered by id
 * @param hiddenSessions   sessions on this database whose activity the reading role may not see (another role
 *                         without {@code pg_read_all_stats}): a Python worker among them cannot be recognised
 * @param at               the database's clock when read
 */
public record LiveWorkers(List<LiveWorker> workers, List<ActiveWorker> unattributedJobs, int hiddenSessions,
                          Instant at) {

    /** Validates and copies. */
    public LiveWorkers {
        workers = List.copyOf(workers);
        unattributedJobs = List.copyOf(unattributedJobs);
        Objects.requireNonNull(at, "at");
    }

    /** How many live workers run {@code language}. */
    public long count(WorkerLanguage language) {
        return workers.stream().filter(w -> w.language() == language).count();
    }
}
