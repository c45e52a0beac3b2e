package org.pgqj.examples.blog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.testing.queue.TestQueue;
import org.pgqj.worker.WorkerFactory;
import org.pgqj.worker.WorkerOptions;

/** A mail due in an hour runs once the queue clock has moved an hour: no waiting, no sleeps. */
@QueueTest
class LaterMailTest {

    // tag::clock[]
    @Test
    void aMailDueInAnHourIsSentAnHourLater(TestQueue queue) {
        DSLContext db = DSL.using(queue.dataSource(), SQLDialect.POSTGRES);
        BlogTasks tasks = new BlogTasks(db, new Articles(db, queue.jobQueue()));
        var pods = new WorkerFactory.Context(queue.dataSource(), queue.tables(), WorkerOptions.defaults());
        queue.jobQueue().enqueue(queue.dsl(), queue.jobQueue().job(new SendWelcome("ada@example.com", Instant.now()))
                .delay(Duration.ofHours(1)).build());

        assertEquals(0, queue.drain(Pods.slow(pods, tasks)).jobs().size()); // not due yet
        queue.clock().advance(Duration.ofHours(1)); // moves execute_after back; the database's now() is untouched
        queue.drain(Pods.slow(pods, tasks)).requireAllSuccessful();

        assertEquals(1, tasks.welcomesSent.get());
    }
    // end::clock[]
}
