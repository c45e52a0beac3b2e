package org.pgqj.examples.blog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jooq.impl.DSL;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.JobStatus;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** The example runs end to end on a real PostgreSQL, as the README promises. */
@Tag("slow") // among the slowest classes of the suite (see .ci/run's per-class times)
@ExtendWith(PostgresExtension.class)
class BlogAppTest {

    @Test
    void publishesIndexesMailsAndRollsBack(TestDatabase db) throws Exception {
        BlogApp.Outcome outcome = BlogApp.run(db.dataSource());

        assertTrue(outcome.allDone(), outcome.toString());
        assertEquals("published", outcome.articleStatus());
        assertEquals("draft", outcome.rolledBackStatus(), "the failed publish rolled back the row update");
        assertEquals(1, outcome.indexed());
        assertEquals(3, outcome.welcomes());
        assertEquals(4, outcome.jobs().size());
        assertTrue(outcome.jobs().values().stream().allMatch(s -> s == JobStatus.SUCCESSFUL));

        var dsl = DSL.using(db.dataSource(), org.jooq.SQLDialect.POSTGRES);
        assertEquals(0, dsl.fetchCount(DSL.table(DSL.name("pgqueuer"))), "nothing left in the queue");
        // 1 index_article + 3 send_welcome were ever queued: the rolled-back job never existed
        assertEquals(4, dsl.fetchCount(DSL.table(DSL.name("pgqueuer_log")),
                DSL.field(DSL.name("status")).cast(String.class).eq("queued")));
    }
}
