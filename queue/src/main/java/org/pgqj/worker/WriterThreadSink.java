package org.pgqj.worker;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.pgqj.internal.queue.CompleteQuery;
import org.pgqj.internal.sql.Backoff;
import org.pgqj.internal.sql.ConnectionErrors;
import org.pgqj.internal.sql.DedicatedConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer thread and its sink, on a connection of its own: writes the buffered outcomes (one
 * {@link CompleteQuery} per 1,000, each retry its own statement) when a claim's worth waits, when nothing runs
 * any more, when a retry waits, and otherwise every 100 ms; then runs the {@link Housekeeping}. It is the only
 * thread that takes from its buffer (the final flush at close runs after it ended). A failed round is retried at
 * most a second later, the outcomes staying buffered; meanwhile {@link #isFailing()} stops the claims
 * (back-pressure), and the first good round lets them go on.
 */
final class WriterThreadSink implements OutcomeSink {

    private static final Logger LOG = LoggerFactory.getLogger(WriterThreadSink.class);
    private static final long FLUSH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final UUID workerId;
    private final OutcomeBuffer buffer;
    private final DedicatedConnection connection;
    private final Wakeup wakeup;
    private final Housekeeping housekeeping;
    private final Observers observers;
    private final CompleteQuery completeQuery = new CompleteQuery();
    /** Whether the last round failed, until one succeeds: written by the writer thread, read by the claim loop. */
    private volatile boolean failing;

    WriterThreadSink(UUID workerId, OutcomeBuffer buffer, DedicatedConnection connection, Wakeup wakeup,
                     Housekeeping housekeeping, Observers observers) {
        this.workerId = workerId;
        this.buffer = buffer;
        this.connection = connection;
        this.wakeup = wakeup;
        this.housekeeping = housekeeping;
        this.observers = observers;
    }

    @Override
    public boolean accept(CompleteQuery.Outcome outcome) {
        int buffered = buffer.add(outcome);
        if (buffered == OutcomeBuffer.REFUSED) {
            return false;
        }
        wakeup.outcomeBuffered(buffered);
        return true;
    }

    @Override
    public boolean accept(OutcomeBuffer.Retry retry) {
        if (!buffer.add(retry)) {
            return false;
        }
        wakeup.retryBuffered();
        return true;
    }

    /** The claim loop could not write these (or stopped): they are this writer's now, written at once. */
    void takeOver(OutcomeBuffer.Taken taken) {
        boolean accepted = true;
        for (OutcomeBuffer.Retry retry : taken.retries()) {
            accepted &= buffer.add(retry);
        }
        for (CompleteQuery.Outcome outcome : taken.outcomes()) {
            accepted &= buffer.add(outcome) != OutcomeBuffer.REFUSED;
        }
        if (!accepted) {
            LOG.warn("Worker {} closed before it could write {} outcomes of its claim loop; those jobs stay picked and "
                    + "are re-run once their heartbeat is stale", workerId, taken.size());
        }
        wakeup.writeNow();
    }

    /** Whether claims must pause: the last write round failed and has not succeeded since. */
    boolean isFailing() {
        return failing;
    }

    /** The writer thread; returns after {@link #close()} (or an interrupt). */
    void loop() {
        // at most a second between attempts: a stale heartbeat would hand our jobs to another worker
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1));
        while (!wakeup.isWriterStopping()) {
            try {
                wakeup.awaitWrite(FLUSH_NANOS);
                housekeeping.logDue();
                long start = System.nanoTime();
                int written = flush();
                if (written > 0) {
                    if (LOG.isTraceEnabled()) {
                        LOG.trace("flush of {} took {} us", written, (System.nanoTime() - start) / 1000);
                    }
                    wakeup.outcomesWritten();
                    if (!observers.isEmpty()) {
                        observers.onFlush(written, Duration.ofNanos(System.nanoTime() - start));
                    }
                }
                housekeeping.runDue(connection);
                int failures = backoff.succeeded();
                if (failures > 0) {
                    LOG.info("Worker {} writes outcomes again after {} failed attempts; claiming goes on", workerId, failures);
                    failing = false;
                    wakeup.writesRecovered();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                Duration wait = backoff.failed();
                failing = true; // the claim loop stops claiming while outcomes wait
                if (backoff.firstRefusal(e)) {
                    LOG.error("{}. The worker claims nothing until it can write again.", ConnectionErrors.refusal("Worker "
                            + workerId + " cannot write the outcomes of " + buffer.unwritten().size() + " finished jobs",
                            "write", e));
                } else if (backoff.failures() == 1 || backoff.failures() % 60 == 0) {
                    LOG.warn("Worker {} could not write completions/heartbeats ({}); claims paused, retrying every second",
                            workerId, ConnectionErrors.describe(e));
                }
                Backoff.sleep(wait);
            }
        }
    }

    /** Writes everything buffered; returns how many outcomes and retries. What fails goes back, and the failure is thrown. */
    private int flush() {
        int written = 0;
        for (OutcomeBuffer.Taken taken = buffer.take(); !taken.isEmpty(); taken = buffer.take()) {
            OutcomeStatements.write(connection, buffer, taken, (session, outcomes) -> {
                completeQuery.write(session, outcomes);
                return null;
            }, buffer::putBack);
            written += taken.size();
        }
        return written;
    }

    /** Accepts no more outcomes and ends the writer thread's loop after its current round. */
    void close() {
        buffer.close();
        wakeup.stopWriter();
    }

    /** After the writer thread ended: writes what is still buffered, trying up to five times. */
    void finalFlush() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        for (int attempt = 0; attempt < 5 && !buffer.isEmpty(); attempt++) {
            try {
                flush();
            } catch (RuntimeException e) {
                LOG.warn("Worker {} final flush attempt {} failed: {}", workerId, attempt + 1, e.getMessage());
                Backoff.sleep(backoff.failed());
            }
        }
    }
}
