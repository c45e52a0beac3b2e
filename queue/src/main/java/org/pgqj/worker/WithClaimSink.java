package org.pgqj.worker;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.pgqj.core.Job;
import org.pgqj.internal.queue.ClaimQuery;
import org.pgqj.internal.queue.CompleteQuery;
import org.pgqj.internal.sql.DedicatedConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink of slot-holding entrypoints: a finished job's slot is free only once its outcome is committed, so
 * the claim loop writes these outcomes itself, as the first statement of the round trip and transaction of its
 * next claim ({@link ClaimQuery#completeAndClaim}), which then reuses the slots they free. The claim loop is
 * the only thread that takes from its buffer. What it cannot write (a failed round trip) and what arrives after
 * it stopped go to the {@link WriterThreadSink}.
 */
final class WithClaimSink implements OutcomeSink {

    private static final Logger LOG = LoggerFactory.getLogger(WithClaimSink.class);

    private final OutcomeBuffer buffer;
    private final WriterThreadSink writer;
    private final ClaimQuery claimQuery;
    private final Observers observers;
    private final CompleteQuery completeQuery = new CompleteQuery();

    WithClaimSink(OutcomeBuffer buffer, WriterThreadSink writer, ClaimQuery claimQuery, Observers observers) {
        this.buffer = buffer;
        this.writer = writer;
        this.claimQuery = claimQuery;
        this.observers = observers;
    }

    /** Buffers for the claim loop; once the claim loop stopped, hands it to the writer. */
    @Override
    public boolean accept(CompleteQuery.Outcome outcome) {
        return buffer.add(outcome) != OutcomeBuffer.REFUSED || writer.accept(outcome);
    }

    @Override
    public boolean accept(OutcomeBuffer.Retry retry) {
        return buffer.add(retry) || writer.accept(retry);
    }

    /** The claim loop: whether outcomes wait for it. */
    boolean hasOutcomes() {
        return !buffer.isEmpty();
    }

    /**
     * The claim loop: writes the buffered retries, then the outcomes and the claim in one round trip; returns
     * the claimed jobs. On a failure the outcomes not written go to the writer and the failure is thrown.
     */
    List<Job> writeAndClaim(DedicatedConnection connection, List<ClaimQuery.Part> parts, int batch, Supplier<Long[]> owned) {
        long start = System.nanoTime();
        OutcomeBuffer.Taken taken = buffer.take();
        List<Job> jobs = OutcomeStatements.write(connection, buffer, taken, (session, outcomes) ->
                claimQuery.completeAndClaim(session, completeQuery, outcomes, parts, batch, owned.get()), this::toWriter);
        report("with the claim", taken.size(), start);
        return jobs;
    }

    /** The claim loop, when it claims nothing: writes what is buffered, so the slots are free for other workers. */
    void writeAlone(DedicatedConnection connection) {
        long start = System.nanoTime();
        int written = 0;
        try {
            for (OutcomeBuffer.Taken taken = buffer.take(); !taken.isEmpty(); taken = buffer.take()) {
                OutcomeStatements.write(connection, buffer, taken, (session, outcomes) -> {
                    completeQuery.write(session, outcomes);
                    return null;
                }, this::toWriter);
                written += taken.size();
            }
        } catch (RuntimeException e) {
            LOG.debug("Writing outcomes before a claim failed; the writer retries them", e);
        }
        report("with no claim", written, start);
    }

    /** The claim loop, as it ends: what is buffered, and whatever arrives later, is the writer's. */
    void handOver() {
        buffer.close();
        for (OutcomeBuffer.Taken taken = buffer.take(); !taken.isEmpty(); taken = buffer.take()) {
            toWriter(taken);
        }
    }

    private void toWriter(OutcomeBuffer.Taken taken) {
        writer.takeOver(taken); // added there before it leaves here: never missing from the owned ids
        buffer.forget(taken);
    }

    /** Trace line and observers for {@code written} outcomes and retries written in the round trip begun at {@code start}. */
    private void report(String how, int written, long start) {
        if (written == 0) {
            return;
        }
        long nanos = System.nanoTime() - start;
        if (LOG.isTraceEnabled()) {
            LOG.trace("claim loop wrote {} outcomes {} in {} us", written, how, nanos / 1000);
        }
        if (!observers.isEmpty()) {
            observers.onFlush(written, Duration.ofNanos(nanos));
        }
    }
}
