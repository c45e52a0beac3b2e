package org.pgqj.worker;

import org.pgqj.internal.queue.CompleteQuery;

/**
 * Where a finished job's outcome goes to be written, chosen per entrypoint when the worker starts:
 * {@link WriterThreadSink} (the writer thread writes a batch when it is full, when nothing runs any more, or
 * every 100 ms) or {@link WithClaimSink} (a slot-holding entrypoint's: the claim loop writes them in the
 * round trip and transaction of its next claim, which reuses the slots they free). Called on the job's thread.
 */
interface OutcomeSink {

    /** Takes a final outcome; false after shutdown (the row stays picked and is re-run once its heartbeat is stale). */
    boolean accept(CompleteQuery.Outcome outcome);

    /** Takes a retry; false after shutdown, likewise. */
    boolean accept(OutcomeBuffer.Retry retry);
}
