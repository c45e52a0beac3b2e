package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.internal.queue.CompleteQuery;

/**
 * When the writer thread wakes up and what the buffer accepts (no database: the writes themselves are
 * covered by the worker tests). Real threads: a waiter blocks in awaitBatch while the test adds.
 */
class CompletionBufferTest {

    private static final long LONG_WAIT = TimeUnit.SECONDS.toNanos(30);

    private static CompleteQuery.Outcome done(long id) {
        return new CompleteQuery.Outcome(id, PgqueuerStatus.successful, null);
    }

    @Test
    void aFullBatchWakesTheWriter() throws Exception {
        CompletionBuffer buffer = new CompletionBuffer(3);
        assertTrue(buffer.isEmpty());
        CountDownLatch woke = waiter(buffer);
        buffer.add(done(1));
        buffer.add(done(2));
        assertFalse(woke.await(50, TimeUnit.MILLISECONDS), "two of three: the writer keeps waiting for the batch");
        buffer.add(done(3));
        assertTrue(woke.await(10, TimeUnit.SECONDS), "the third fills the batch");
        assertFalse(buffer.isEmpty());
    }

    @Test
    void aNudgedOutcomeOrARetryWakesTheWriterAtOnce() throws Exception {
        CompletionBuffer buffer = new CompletionBuffer(100);
        CountDownLatch urgent = waiter(buffer);
        buffer.add(done(1));
        buffer.nudge(); // nothing runs any more: the one outcome is the whole batch
        assertTrue(urgent.await(10, TimeUnit.SECONDS));

        CompletionBuffer retries = new CompletionBuffer(100);
        CountDownLatch retry = waiter(retries);
        retries.add(new CompletionBuffer.Retry(2, Duration.ofSeconds(1), null));
        assertTrue(retry.await(10, TimeUnit.SECONDS));
    }

    @Test
    void theBatchFollowsTheClaimSizeAndANudgeFlushesWhatIsThere() throws Exception {
        CompletionBuffer buffer = new CompletionBuffer(10);
        buffer.threshold(40); // the dispatcher claims 40 at a time now
        CountDownLatch woke = waiter(buffer);
        for (int i = 1; i <= 39; i++) {
            buffer.add(done(i));
        }
        assertFalse(woke.await(50, TimeUnit.MILLISECONDS), "39 of a 40-job claim: the writer keeps waiting");
        buffer.nudge(); // nothing runs any more: nothing else will join this batch
        assertTrue(woke.await(10, TimeUnit.SECONDS));
    }

    @Test
    void largeClaimsRaiseTheUnwrittenLimitThatStopsClaims() {
        CompletionBuffer buffer = new CompletionBuffer(10);
        buffer.threshold(500);
        assertTrue(buffer.unwrittenLimit() >= 2_000, "four claims of 500: " + buffer.unwrittenLimit());
        for (int i = 1; i <= 1_500; i++) {
            buffer.add(done(i));
        }
        assertFalse(buffer.holdsClaims(), "three claims' outcomes waiting on a healthy writer do not stop claims");
        buffer.threshold(10);
        assertTrue(buffer.holdsClaims(), "back to small claims: 1,500 waiting is too many");
    }

    @Test
    void theWaitEndsAfterItsTimeoutWithNothingBuffered() throws Exception {
        CompletionBuffer buffer = new CompletionBuffer(10);
        long start = System.nanoTime();
        buffer.awaitBatch(TimeUnit.MILLISECONDS.toNanos(20));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20));
        assertTrue(buffer.isEmpty());
    }

    @Test
    void aFullBatchIsDueAtOnceAndLessOnlyAfterTheTimer() throws Exception {
        CompletionBuffer buffer = new CompletionBuffer(3);
        buffer.add(done(1));
        long start = System.nanoTime();
        assertTrue(buffer.awaitBatch(TimeUnit.MILLISECONDS.toNanos(20)), "nobody took from the buffer: the timer flushes");
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20), "one outcome waits for the timer");
        buffer.add(done(2));
        buffer.add(done(3));
        start = System.nanoTime();
        assertTrue(buffer.awaitBatch(LONG_WAIT), "a full batch is due");
        assertTrue(System.nanoTime() - start < LONG_WAIT);
    }

    @Test
    void aClosedBufferWakesTheWriterAndRefusesMore() throws Exception {
        CompletionBuffer buffer = new CompletionBuffer(10);
        buffer.add(done(1));
        CountDownLatch woke = waiter(buffer);
        buffer.close();
        assertTrue(woke.await(10, TimeUnit.SECONDS), "close ends the wait, so the final flush runs now");
        assertFalse(buffer.add(done(2)), "a job finishing after shutdown is refused (it is re-run later)");
        assertFalse(buffer.add(new CompletionBuffer.Retry(3, Duration.ZERO, null)));
        assertFalse(buffer.isEmpty(), "what was buffered before close stays for the final flush");
    }

    private static CountDownLatch waiter(CompletionBuffer buffer) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch woke = new CountDownLatch(1);
        Thread.ofPlatform().daemon().start(() -> {
            started.countDown();
            try {
                buffer.awaitBatch(LONG_WAIT);
                woke.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        return woke;
    }
}
