package org.pgqj.examples.blog;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.pgqj.core.Job;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.payload.PayloadCodec;
import org.pgqj.worker.JobContext;

/** A handler is a plain method: test it without a database, with a fake job built in one line. */
class BlogTasksTest {

    // tag::unit[]
    @Test
    void sendsTheWelcomeMail() throws Exception {
        Job job = Job.of("send_welcome", // a fake job, its payload as complete as the record's contract asks
                "{\"email\": \"ada@example.com\", \"signedUpAt\": \"2026-01-31T12:00:00Z\"}".getBytes(UTF_8));
        SendWelcome payload = PayloadCodec.defaults().decode(job.payload(), SendWelcome.class);
        DSLContext offline = DSL.using(SQLDialect.POSTGRES); // sendWelcome does not touch the database
        BlogTasks tasks = new BlogTasks(offline, new Articles(offline, JobQueue.create(QueueTables.defaults())));

        tasks.sendWelcome(payload, JobContext.forTest(job));

        assertEquals(1, tasks.welcomesSent.get());
    }
    // end::unit[]
}
