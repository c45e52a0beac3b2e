package org.pgqj.examples.blog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pgqj.core.JobStatus;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.testing.queue.TestQueue;

/** The example runs end to end on a real PostgreSQL, as the README promises. */
@Tag("slow") // among the slowest classes of the suite (see .ci/run's per-class times)
@QueueTest
class BlogAppTest {

    @BeforeAll
    static void appSchema(TestDatabase db) {
        BlogApp.migrateAppSchema(db.dataSource()); // before the queue schema, as BlogApp.run does
    }

    @Test
    void publishesIndexesMailsAndRollsBack(TestQueue queue) throws Exception {
        BlogApp.Outcome outcome = BlogApp.run(queue.dataSource());

        assertTrue(outcome.allDone(), outcome.toString());
        assertEquals("published", outcome.articleStatus());
        assertEquals("draft", outcome.rolledBackStatus(), "the failed publish rolled back the row update");
        assertEquals(1, outcome.indexed());
        assertEquals(3, outcome.welcomes());
        assertEquals(4, outcome.jobs().size());
        assertTrue(outcome.jobs().values().stream().allMatch(s -> s == JobStatus.SUCCESSFUL));

        queue.enqueued().requireEmpty();
        var dsl = queue.dsl();
        // 1 index_article + 3 send_welcome were ever queued: the rolled-back job never existed
        assertEquals(4, dsl.fetchCount(DSL.table(DSL.name("pgqueuer_log")),
                DSL.field(DSL.name("status")).cast(String.class).eq("queued")));
    }
}
