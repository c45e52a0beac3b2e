package org.pgqj.examples.blog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.core.JobStatus;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.DrainResult;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.testing.queue.TestQueue;
import org.pgqj.worker.WorkerFactory;
import org.pgqj.worker.WorkerOptions;

/** Publish, then run the due jobs now with the real pods: the article is indexed and the mail sent. */
// tag::e2e[]
@QueueTest // a database with the queue schema, emptied before each test
class EndToEndTest {

    private Articles articles;
    private BlogTasks tasks;
    private WorkerFactory.Context pods;

    @BeforeAll
    static void appSchema(TestDatabase db) {
        BlogApp.migrateAppSchema(db.dataSource()); // the app's tables first, then @QueueTest's queue schema
    }

    @BeforeEach
    void app(TestQueue queue) {
        DSLContext db = DSL.using(queue.dataSource(), SQLDialect.POSTGRES);
        articles = new Articles(db, queue.jobQueue());
        tasks = new BlogTasks(db, articles);
        pods = new WorkerFactory.Context(queue.dataSource(), queue.tables(), WorkerOptions.defaults());
    }

    @Test
    void aPublishedArticleIsIndexed(TestQueue queue) {
        long job = articles.publish(articles.draft("Hello, queue", "ada@example.com"));

        DrainResult ran = queue.drain(Pods.fast(pods, tasks)); // the real worker, until nothing is due

        assertEquals(JobStatus.SUCCESSFUL, ran.job(job).status());
        assertEquals(1, articles.indexedCount());
        queue.enqueued().requireEmpty();
    }

    @Test
    void welcomeMailsAreSent(TestQueue queue) {
        queue.jobQueue().enqueue(queue.dsl(), new SendWelcome("ada@example.com", java.time.Instant.now()));

        queue.drain(Pods.slow(pods, tasks)).requireAllSuccessful();

        assertEquals(1, tasks.welcomesSent.get());
    }
}
// end::e2e[]
