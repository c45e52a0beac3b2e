package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.internal.queue.CompleteQuery;

/** What the buffer accepts, what one write takes, and which ids stay this worker's until committed. */
class OutcomeBufferTest {

    private static CompleteQuery.Outcome done(long id) {
        return new CompleteQuery.Outcome(id, PgqueuerStatus.successful, null);
    }

    @Test
    void aWriteTakesEveryRetryAndOneStatementsWorthOfOutcomes() {
        OutcomeBuffer buffer = new OutcomeBuffer();
        assertTrue(buffer.isEmpty());
        for (long id = 1; id <= 1_500; id++) {
            assertEquals(id, buffer.add(done(id)), "the count buffered is what the size rule reads");
        }
        assertTrue(buffer.add(new OutcomeBuffer.Retry(2_000, Duration.ofSeconds(1), null)));
        assertTrue(buffer.hasPendingRetries());
        OutcomeBuffer.Taken first = buffer.take();
        assertEquals(1, first.retries().size());
        assertEquals(OutcomeBuffer.MAX_PER_STATEMENT, first.outcomes().size());
        assertEquals(1_501, buffer.unwritten().size(), "taken is not written: every id is still this worker's");

        buffer.committed(first.retries().getFirst());
        buffer.committed(first.outcomes());
        assertFalse(buffer.hasPendingRetries(), "the retry's job is back in the queue");
        assertEquals(500, buffer.unwritten().size());
        assertEquals(500, buffer.take().outcomes().size());
        assertTrue(buffer.take().isEmpty());
    }

    @Test
    void aFailedWritePutsItsOutcomesBackInFrontInOrder() {
        OutcomeBuffer buffer = new OutcomeBuffer();
        buffer.add(done(1));
        buffer.add(done(2));
        OutcomeBuffer.Taken taken = buffer.take();
        buffer.add(done(3));
        buffer.putBack(taken);
        assertEquals(List.of(1L, 2L, 3L), buffer.take().outcomes().stream().map(CompleteQuery.Outcome::id).toList());
        assertEquals(Set.of(1L, 2L, 3L), buffer.unwritten());
    }

    @Test
    void forgottenIdsAreNoLongerThisBuffersAndAClosedBufferRefusesMore() {
        OutcomeBuffer buffer = new OutcomeBuffer();
        buffer.add(done(1));
        buffer.add(new OutcomeBuffer.Retry(2, Duration.ZERO, null));
        buffer.forget(buffer.take()); // handed to another buffer
        assertTrue(buffer.unwritten().isEmpty());
        assertFalse(buffer.hasPendingRetries());

        buffer.add(done(3));
        buffer.close();
        assertEquals(OutcomeBuffer.REFUSED, buffer.add(done(4)), "a job finishing after shutdown is refused");
        assertFalse(buffer.add(new OutcomeBuffer.Retry(5, Duration.ZERO, null)));
        assertFalse(buffer.isEmpty(), "what was buffered before close stays for the final flush");
        assertEquals(Set.of(3L), buffer.unwritten());
    }
}
