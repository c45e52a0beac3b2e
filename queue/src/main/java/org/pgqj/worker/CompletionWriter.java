package org.pgqj.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.queue.HeartbeatQuery;
import org.pgqj.internal.queue.StatisticsQuery;
import org.pgqj.internal.sql.Backoff;
import org.pgqj.internal.sql.ConnectionErrors;
import org.pgqj.internal.sql.DedicatedConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's write loop, on a thread and connection of its own: flushes finished jobs from the
 * {@link CompletionBuffer} (at most every 100 ms, or as soon as a batch is full), beats the heartbeat of
 * the jobs it owns (running, or finished with the outcome not yet written) every quarter of the shortest
 * stale age, and aggregates statistics every statistics interval when jobs finished since. Write failures
 * are retried at most a second apart; the buffered outcomes stay buffered meanwhile, and the failure is
 * reported to the buffer so the dispatcher claims nothing until a write succeeds (back-pressure).
 */
final class CompletionWriter {

    private static final Logger LOG = LoggerFactory.getLogger(CompletionWriter.class);

    private final UUID workerId;
    private final CompletionBuffer completions;
    private final DedicatedConnection connection;
    private final Dispatcher dispatcher;
    private final QueueTables tables;
    private final long heartbeatNanos;
    private final long statsNanos;
    private final boolean limitedEntrypoints;
    private final Observers observers;
    private volatile boolean stop;

    CompletionWriter(WorkerOptions options, Collection<Registration> registrations, QueueTables tables,
                     CompletionBuffer completions, DedicatedConnection connection, Dispatcher dispatcher,
                     Observers observers) {
        this.workerId = options.workerId();
        this.completions = completions;
        this.connection = connection;
        this.dispatcher = dispatcher;
        this.tables = tables;
        this.heartbeatNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(50), staleAfterMin(options, registrations).toNanos() / 4);
        this.statsNanos = options.statisticsInterval().toNanos();
        this.limitedEntrypoints = registrations.stream().anyMatch(Registration::holdsSlots);
        this.observers = observers;
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

    /** The loop; returns after {@link #stop()} (or an interrupt). */
    void loop() {
        long nextHeartbeat = System.nanoTime() + heartbeatNanos;
        long nextStats = System.nanoTime() + statsNanos;
        // at most a second between attempts: a stale heartbeat would hand our jobs to another worker
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1));
        while (!stop) {
            try {
                boolean due = completions.awaitBatch(CompletionBuffer.FLUSH_NANOS);
                long flushStart = System.nanoTime();
                int written = due ? completions.flush(connection) : 0;
                if (written > 0) {
                    if (LOG.isTraceEnabled()) {
                        LOG.trace("flush of {} took {} us", written, (System.nanoTime() - flushStart) / 1000);
                    }
                    if (limitedEntrypoints || dispatcher.isBlockedByWrites()) {
                        // finished rows are gone: their slots are free, and the claim loop that paused for
                        // unwritten outcomes may go on
                        dispatcher.wake();
                    } else {
                        dispatcher.wakeIfDraining();
                    }
                    if (!observers.isEmpty()) {
                        observers.onFlush(written, Duration.ofNanos(System.nanoTime() - flushStart));
                    }
                }
                long now = System.nanoTime();
                if (now - nextHeartbeat >= 0) {
                    nextHeartbeat = now + heartbeatNanos;
                    // finished jobs whose outcome is not written yet are still ours: keep them from going stale
                    var ids = new ArrayList<>(dispatcher.runningIds());
                    ids.addAll(completions.unwritten());
                    connection.run(dsl -> HeartbeatQuery.beat(dsl, ids));
                }
                if (statsNanos > 0 && now - nextStats >= 0) {
                    nextStats = now + statsNanos;
                    if (dispatcher.takeFinishedSinceStatistics() > 0) {
                        connection.run(dsl -> StatisticsQuery.aggregate(dsl, tables.names()));
                    }
                }
                int failures = backoff.succeeded();
                if (failures > 0) {
                    LOG.info("Worker {} writes outcomes again after {} failed attempts; claiming goes on", workerId, failures);
                    completions.writeFailed(false);
                    dispatcher.wake();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                Duration wait = backoff.failed();
                completions.writeFailed(true); // the claim loop stops claiming while outcomes wait
                if (backoff.firstRefusal(e)) {
                    LOG.error("{}. The worker claims nothing until it can write again.", ConnectionErrors.refusal("Worker "
                            + workerId + " cannot write the outcomes of " + completions.unwritten().size()
                            + " finished jobs", "write", e));
                } else if (backoff.failures() == 1 || backoff.failures() % 60 == 0) {
                    LOG.warn("Worker {} could not write completions/heartbeats ({}); claims paused, retrying every second",
                            workerId, ConnectionErrors.describe(e));
                }
                Backoff.sleep(wait);
            }
        }
    }

    /** Ends {@link #loop()} after its current round. */
    void stop() {
        stop = true;
    }

    /** After the loop ended: writes what is still buffered, trying up to five times. */
    void finalFlush() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        for (int attempt = 0; attempt < 5 && !completions.isEmpty(); attempt++) {
            try {
                completions.flush(connection);
            } catch (RuntimeException e) {
                LOG.warn("Worker {} final flush attempt {} failed: {}", workerId, attempt + 1, e.getMessage());
                Backoff.sleep(backoff.failed());
            }
        }
    }
}
