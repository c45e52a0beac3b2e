package org.pgqj.testing.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.pgqj.core.Job;
import org.pgqj.enqueue.NewJob;
import org.pgqj.payload.Entrypoint;
import org.pgqj.testing.TestDatabase;

@QueueTest
class EnqueuedJobsTest {

    @Entrypoint("ship_order")
    record ShipOrder(long orderId, String carrier) {
    }

    @Test
    void findsATypedPayloadByPredicateAndByEquality(TestQueue queue) {
        queue.jobQueue().enqueue(queue.dsl(), new ShipOrder(41, "dhl"));
        queue.jobQueue().enqueue(queue.dsl(), new ShipOrder(42, "ups"));

        ShipOrder ship = queue.enqueued().requireOne(ShipOrder.class, s -> s.orderId() == 42);
        assertEquals("ups", ship.carrier());
        Job job = queue.enqueued().requirePayload(new ShipOrder(41, "dhl"));
        assertEquals("ship_order", job.entrypoint());
        queue.enqueued().requireNone(JobMatcher.payload(ShipOrder.class, s -> s.orderId() == 43));
    }

    @Test
    void theQueueIsEmptiedBeforeEachTest(TestQueue queue) {
        // the other tests leave jobs behind; whichever order they run in, this one starts empty
        queue.enqueued().requireEmpty();
        queue.jobQueue().enqueue(queue.dsl(), NewJob.of("left_behind", new byte[0]));
    }

    @Test
    void matchesPriorityHeadersDelayAndDedupeKey(TestQueue queue) {
        queue.jobQueue().enqueue(queue.dsl(), queue.jobQueue().job(new ShipOrder(7, "dhl")).priority(5)
                .header("tenant", "acme").header("attempt_budget", 3).delay(Duration.ofMinutes(10))
                .dedupeKey("order-7").build());

        queue.enqueued().requireOne(JobMatcher.of(ShipOrder.class).priority(5).header("tenant", "acme")
                .header("attempt_budget", 3L).delay(Duration.ofMinutes(10)).dedupeKey("order-7"));
        queue.enqueued().requireNone(JobMatcher.of(ShipOrder.class).priority(4));
        queue.enqueued().requireNone(JobMatcher.of(ShipOrder.class).delay(Duration.ZERO));
        queue.enqueued().requireNone(JobMatcher.of(ShipOrder.class).header("tenant", "other"));
    }

    @Test
    void aFailureListsWhatWasEnqueuedAndWhatDiffers(TestQueue queue) {
        long id = queue.jobQueue().enqueue(queue.dsl(), queue.jobQueue().job(new ShipOrder(42, "ups")).priority(2).build());
        queue.jobQueue().enqueue(queue.dsl(), NewJob.of("send_email", "{\"to\":\"a@example.com\"}".getBytes()));

        AssertionError e = assertThrows(AssertionError.class, () -> queue.enqueued()
                .requireOne(JobMatcher.payload(ShipOrder.class, s -> s.orderId() == 42).priority(5)));
        String message = e.getMessage();
        assertTrue(message.startsWith("Expected exactly one enqueued job matching ship_order, payload ShipOrder "
                + "matching the predicate, priority 5, found 0."), message);
        assertTrue(message.contains("Enqueued (2):"), message);
        assertTrue(message.contains("#" + id + " ship_order [queued] priority 2, delay PT0S, payload "
                + "{\"orderId\":42,\"carrier\":\"ups\"}"), message);
        assertTrue(message.contains("differs: priority 2"), message);
        assertTrue(message.contains("send_email [queued] priority 0, delay PT0S, payload {\"to\":\"a@example.com\"}"), message);

        AssertionError none = assertThrows(AssertionError.class, () -> queue.enqueued().requireEmpty());
        assertTrue(none.getMessage().contains("Enqueued (2):"), none.getMessage());
    }

    @Test
    void readsInsideTheCallersTransactionBeforeItCommits(TestQueue queue) {
        queue.dsl().transaction(tx -> {
            queue.jobQueue().enqueue(tx.dsl(), new ShipOrder(1, "dhl"));
            EnqueuedJobs.in(tx.dsl()).requireOne(ShipOrder.class, s -> s.orderId() == 1);
            // not committed: another connection sees nothing yet
            queue.enqueued().requireEmpty();
        });
        queue.enqueued().requireOne(ShipOrder.class, s -> s.orderId() == 1);
    }

    @Test
    void readsOnAJdbcConnectionAndSeesNothingOfARollback(TestQueue queue, TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            queue.jobQueue().enqueue(DSL.using(c), NewJob.of("reindex", new byte[0]));
            EnqueuedJobs.in(c).requireOne(JobMatcher.entrypoint("reindex"));
            c.rollback();
            EnqueuedJobs.in(c).requireEmpty();
        }
    }

    @Test
    void requireExactlyChecksEveryJobInOrder(TestQueue queue) {
        queue.jobQueue().enqueue(queue.dsl(), new ShipOrder(1, "dhl"));
        queue.jobQueue().enqueue(queue.dsl(), NewJob.of("send_email", new byte[0]));

        List<Job> jobs = queue.enqueued().requireExactly(JobMatcher.payloadEqualTo(new ShipOrder(1, "dhl")),
                JobMatcher.entrypoint("send_email"));
        assertEquals(2, jobs.size());
        AssertionError swapped = assertThrows(AssertionError.class, () -> queue.enqueued().requireExactly(
                JobMatcher.entrypoint("send_email"), JobMatcher.of(ShipOrder.class)));
        assertTrue(swapped.getMessage().startsWith("Expected exactly these 2 enqueued jobs, in order:\n"
                + "  1. send_email\n  2. ship_order\nEnqueued (2):"), swapped.getMessage());
        assertThrows(AssertionError.class, () -> queue.enqueued().requireExactly(JobMatcher.of(ShipOrder.class)));
    }

    @Test
    void severalMatchesAreAFailureToo(TestQueue queue) {
        long first = queue.jobQueue().enqueue(queue.dsl(), new ShipOrder(1, "dhl"));
        long second = queue.jobQueue().enqueue(queue.dsl(), new ShipOrder(2, "dhl"));
        AssertionError e = assertThrows(AssertionError.class,
                () -> queue.enqueued().requireOne(ShipOrder.class, s -> s.carrier().equals("dhl")));
        assertTrue(e.getMessage().contains("found 2 [" + first + ", " + second + "]"), e.getMessage());
    }
}
