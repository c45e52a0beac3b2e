package org.pgqj.examples.blog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.EnqueuedJobs;
import org.pgqj.testing.queue.JobMatcher;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.testing.queue.TestQueue;

/** What publishing enqueues, checked in the queue table: no worker runs here. */
@QueueTest
class ArticlesTest {

    private DSLContext db;
    private Articles articles;

    @BeforeAll
    static void appSchema(TestDatabase db) {
        BlogApp.migrateAppSchema(db.dataSource()); // the app's tables first, then @QueueTest's queue schema
    }

    @BeforeEach
    void app(TestQueue queue) {
        db = DSL.using(queue.dataSource(), SQLDialect.POSTGRES);
        articles = new Articles(db, queue.jobQueue());
    }

    // tag::enqueued[]
    @Test
    void publishingEnqueuesTheIndexing(TestQueue queue) {
        long article = articles.draft("Hello, queue", "ada@example.com");

        articles.publish(article);

        queue.enqueued().requirePayload(new IndexArticle(article)); // exactly one, equal to this record
        queue.enqueued().requireNone(JobMatcher.of(SendWelcome.class));
    }

    @Test
    void aFailedPublishEnqueuesNothing(TestQueue queue) {
        long article = articles.draft("Never published", "bob@example.com");

        assertThrows(IllegalStateException.class, () -> articles.publishThenFail(article));

        queue.enqueued().requireEmpty(); // the job rolled back with the row
    }

    @Test
    void inTheCallersTransactionBeforeItCommits(TestQueue queue) {
        db.transaction(tx -> {
            long article = new Articles(tx.dsl(), queue.jobQueue()).draft("Draft", "ada@example.com");
            queue.jobQueue().enqueue(tx.dsl(), queue.jobQueue().job(new IndexArticle(article)).priority(5).build());

            EnqueuedJobs.in(tx.dsl()).requireOne(JobMatcher.payload(IndexArticle.class, a -> a.articleId() == article)
                    .priority(5)); // seen inside the transaction...
            queue.enqueued().requireEmpty(); // ...and by nobody else yet
        });
    }
    // end::enqueued[]

    @Test
    void theStatusColumnIsPublished(TestQueue queue) {
        long article = articles.draft("Hello", "ada@example.com");
        articles.publish(article);
        assertEquals("published", articles.status(article));
    }
}
