package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.pgqj.core.QueueTables;
import org.pgqj.notify.TableChangedEvent;

/**
 * The wake-up rules, without a database: when the writer thread and the claim loop wake. Real threads: a
 * waiter blocks in the wait while the test applies a rule.
 */
class WakeupTest {

    private static final long LONG_WAIT = TimeUnit.SECONDS.toNanos(30);

    private static Wakeup wakeup(int batchSize, boolean limited, AtomicBoolean writerHasOutcomes) {
        return new Wakeup(WorkerOptions.builder().batchSize(batchSize).build(), limited, writerHasOutcomes::get);
    }

    @Test
    void aFullBatchWakesTheWriter() throws Exception {
        Wakeup wakeup = wakeup(3, false, new AtomicBoolean(true));
        CountDownLatch woke = writer(wakeup);
        wakeup.outcomeBuffered(1);
        wakeup.outcomeBuffered(2);
        assertFalse(woke.await(50, TimeUnit.MILLISECONDS), "two of three: the writer keeps waiting for the batch");
        wakeup.outcomeBuffered(3);
        assertTrue(woke.await(10, TimeUnit.SECONDS), "the third fills the batch");
    }

    @Test
    void theLastJobEndingOrARetryWakesTheWriterAtOnce() throws Exception {
        AtomicBoolean buffered = new AtomicBoolean(true);
        Wakeup wakeup = wakeup(100, false, buffered);
        wakeup.jobStarted();
        wakeup.jobStarted();
        CountDownLatch woke = writer(wakeup);
        wakeup.jobEnded(false);
        assertFalse(woke.await(50, TimeUnit.MILLISECONDS), "another job still runs: it may join the batch");
        wakeup.jobEnded(false);
        assertTrue(woke.await(10, TimeUnit.SECONDS), "nothing runs any more: the one outcome is the whole batch");

        Wakeup retries = wakeup(100, false, buffered);
        CountDownLatch retry = writer(retries);
        retries.retryBuffered();
        assertTrue(retry.await(10, TimeUnit.SECONDS));
    }

    @Test
    void theBatchFollowsTheClaimSize() throws Exception {
        Wakeup wakeup = wakeup(10, false, new AtomicBoolean(true));
        wakeup.claimSize(40); // the claim loop claims 40 at a time now
        CountDownLatch woke = writer(wakeup);
        wakeup.outcomeBuffered(39);
        assertFalse(woke.await(50, TimeUnit.MILLISECONDS), "39 of a 40-job claim: the writer keeps waiting");
        wakeup.outcomeBuffered(40);
        assertTrue(woke.await(10, TimeUnit.SECONDS));
        wakeup.claimSize(1); // never below batchSize
        CountDownLatch again = writer(wakeup);
        wakeup.outcomeBuffered(9);
        assertFalse(again.await(50, TimeUnit.MILLISECONDS));
    }

    @Test
    void theWritersWaitEndsAfterItsTimeoutOrAtStop() throws Exception {
        Wakeup wakeup = wakeup(10, false, new AtomicBoolean(false));
        long start = System.nanoTime();
        wakeup.awaitWrite(TimeUnit.MILLISECONDS.toNanos(20));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20));
        CountDownLatch woke = writer(wakeup);
        wakeup.stopWriter();
        assertTrue(woke.await(10, TimeUnit.SECONDS), "close ends the wait, so the final flush runs now");
        assertTrue(wakeup.isWriterStopping());
    }

    @Test
    void aSlotHoldingJobsEndAlwaysWakesTheClaimLoopAnyOtherOnlyWhenItFreesAwaitedCapacity() throws Exception {
        Wakeup wakeup = wakeup(10, true, new AtomicBoolean(false));
        wakeup.jobStarted();
        wakeup.jobStarted();
        CountDownLatch other = claimLoop(wakeup);
        wakeup.jobEnded(false);
        assertFalse(other.await(50, TimeUnit.MILLISECONDS), "an unlimited job's end frees nothing anyone waits for");
        wakeup.jobEnded(true);
        assertTrue(other.await(10, TimeUnit.SECONDS), "a slot-holding job's end: write its outcome and claim its slot");
        assertEquals(0, wakeup.running());

        wakeup.jobStarted();
        wakeup.blocked(true);
        CountDownLatch blocked = claimLoop(wakeup);
        wakeup.jobEnded(false);
        assertTrue(blocked.await(10, TimeUnit.SECONDS), "eligible work waited for capacity");
    }

    @Test
    void aNotificationWakesTheClaimLoopForNewWorkAndForADeleteOnlyWhenBlocked() throws Exception {
        QueueTables tables = QueueTables.defaults();
        Wakeup wakeup = wakeup(10, false, new AtomicBoolean(false));
        CountDownLatch deleted = claimLoop(wakeup);
        wakeup.tableChanged(deleted(tables));
        assertFalse(deleted.await(50, TimeUnit.MILLISECONDS), "a finished job frees nothing while no claim waits");
        wakeup.blocked(true);
        wakeup.tableChanged(deleted(tables));
        assertTrue(deleted.await(10, TimeUnit.SECONDS), "a slot may be free now");

        wakeup.blocked(false);
        CountDownLatch inserted = claimLoop(wakeup);
        wakeup.tableChanged(TableChangedEvent.update(tables));
        assertTrue(inserted.await(10, TimeUnit.SECONDS), "a requeue adds work");
    }

    @Test
    void largeClaimsRaiseTheUnwrittenLimitThatStopsClaims() {
        assertTrue(ClaimLoop.unwrittenLimit(10, 500) >= 2_000, "four claims of 500");
        assertTrue(1_500 < ClaimLoop.unwrittenLimit(10, 500), "three claims' outcomes waiting do not stop claims");
        assertTrue(1_500 >= ClaimLoop.unwrittenLimit(10, 10), "back to small claims: 1,500 waiting is too many");
        assertEquals(2_000, ClaimLoop.unwrittenLimit(100, 10), "twenty of batchSize");
    }

    private static TableChangedEvent deleted(QueueTables tables) {
        return new TableChangedEvent(tables.channel(), Instant.now(), "delete", tables.names().queueTable());
    }

    private static CountDownLatch writer(Wakeup wakeup) throws InterruptedException {
        return waiter(() -> wakeup.awaitWrite(LONG_WAIT));
    }

    private static CountDownLatch claimLoop(Wakeup wakeup) throws InterruptedException {
        return waiter(() -> wakeup.awaitClaim(LONG_WAIT));
    }

    private interface Wait {
        void run() throws InterruptedException;
    }

    private static CountDownLatch waiter(Wait wait) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch woke = new CountDownLatch(1);
        Thread.ofPlatform().daemon().start(() -> {
            started.countDown();
            try {
                wait.run();
                woke.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        return woke;
    }
}
