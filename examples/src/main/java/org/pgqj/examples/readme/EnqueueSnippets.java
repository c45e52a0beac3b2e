package org.pgqj.examples.readme;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.EnqueueResult;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.enqueue.OnConflict;
import org.pgqj.payload.Entrypoint;

final class EnqueueSnippets {

    private EnqueueSnippets() {
    }

    // tag::record[]
    @Entrypoint("index_article")
    public record IndexArticle(UUID articleId, Instant publishedAt) { }
    // end::record[]

    static void publish(DSLContext dsl, UUID articleId) {
        // tag::publish[]
        JobQueue queue = JobQueue.create(QueueTables.defaults()); // once; thread-safe

        dsl.transaction(trx -> {
            trx.dsl().update(table(name("article")))
                    .set(field(name("status")), "published")
                    .where(field(name("id")).eq(articleId))
                    .execute();
            queue.enqueue(trx.dsl(), new IndexArticle(articleId, Instant.now()));
        });
        // Committed: the row update AND the job are durable together, and workers are woken.
        // An exception in the lambda rolls back both: the job never existed.
        // end::publish[]
    }

    static void options(DSLContext dsl, JobQueue queue, List<NewJob> jobs) {
        // tag::options[]
        NewJob job = NewJob.builder("send_email")
                .payload("{\"user\": 42}".getBytes(UTF_8)) // bytes (what Python's job.payload is), or none
                .priority(5)                                // higher runs first
                .delay(Duration.ofMinutes(10))              // execute_after = now() + delay (database clock)
                .dedupeKey("welcome-42")                    // unique among queued and picked jobs
                .header("tenant", "acme")                   // headers: any JSON values, nested too
                .build();
        long id = queue.enqueue(dsl, job);

        List<Long> ids = queue.enqueueAll(dsl, jobs);                 // one statement, ids in input order
        EnqueueResult result = queue.enqueue(dsl, jobs, OnConflict.SKIP);
        result.skippedIndexes();                                      // which inputs hit a taken dedupe key
        // end::options[]
    }
}
