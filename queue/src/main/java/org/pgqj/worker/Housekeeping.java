package org.pgqj.worker;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.pgqj.internal.queue.HeartbeatQuery;
import org.pgqj.internal.queue.StatisticsQuery;
import org.pgqj.internal.sql.DedicatedConnection;
import org.pgqj.schema.PgqueuerNames;

/**
 * What the writer thread does besides writing outcomes: the heartbeat of every job this worker owns (running,
 * or finished and unwritten) every quarter of the shortest stale age, and pgqueuer's statistics aggregation
 * every statistics interval when jobs finished since, and the {@link FailureLog}'s summaries when due.
 */
final class Housekeeping {

    private final OwnedJobs owned;
    private final PgqueuerNames names;
    private final FailureLog failures;
    private final long heartbeatNanos;
    private final long statisticsNanos;
    /** Jobs finished since the last aggregation: job threads add, the writer thread takes. */
    private final AtomicInteger finishedSinceStatistics = new AtomicInteger();
    /** Writer thread only. */
    private long nextHeartbeat;
    /** Writer thread only. */
    private long nextStatistics;

    Housekeeping(WorkerOptions options, Collection<Registration> registrations, OwnedJobs owned, PgqueuerNames names,
                 FailureLog failures) {
        this.owned = owned;
        this.failures = failures;
        this.names = names;
        this.heartbeatNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(50), staleAfterMin(options, registrations).toNanos() / 4);
        this.statisticsNanos = options.statisticsInterval().toNanos();
        long now = System.nanoTime();
        this.nextHeartbeat = now + heartbeatNanos;
        this.nextStatistics = now + statisticsNanos;
    }

    /** The shortest age after which a job of this worker counts as abandoned (heartbeat timeout or retry timer). */
    private static Duration staleAfterMin(WorkerOptions options, Collection<Registration> registrations) {
        Duration min = options.heartbeatTimeout();
        for (Registration r : registrations) {
            Duration t = r.options().retryTimer().orElse(min);
            if (t.compareTo(min) < 0) {
                min = t;
            }
        }
        return min;
    }

    /** A job's thread: its job ended. */
    void jobFinished() {
        finishedSinceStatistics.incrementAndGet();
    }

    /**
     * The writer thread, every round before it writes (so a database outage does not hold them back): the
     * failure summaries whose interval ended.
     */
    void logDue() {
        failures.summariseDue();
    }

    /** The writer thread: beats the heartbeat and aggregates statistics on {@code connection} when due. */
    void runDue(DedicatedConnection connection) {
        long now = System.nanoTime();
        if (now - nextHeartbeat >= 0) {
            nextHeartbeat = now + heartbeatNanos;
            var ids = Arrays.asList(owned.ids());
            connection.run(dsl -> HeartbeatQuery.beat(dsl, ids));
        }
        if (statisticsNanos > 0 && now - nextStatistics >= 0) {
            nextStatistics = now + statisticsNanos;
            if (finishedSinceStatistics.getAndSet(0) > 0) {
                connection.run(dsl -> StatisticsQuery.aggregate(dsl, names));
            }
        }
    }
}
