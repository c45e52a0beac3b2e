package org.pgqj.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.admin.QueueInspection;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;

/** The held-jobs index stays equal to the database through new holds, requeues, cancels and holds again. */
@QueueTest
class FailureIndexTest {

    private static final QueueTables TABLES = QueueTables.defaults();

    @Test
    void followsEveryChangeOfTheHeldRows(TestDatabase db) {
        Rows rows = new Rows(db.dataSource());
        DSLContext q = TABLES.dsl(db.dataSource());
        FailureIndex index = new FailureIndex(QueueInspection.create(TABLES));
        assertEquals(List.of(), index.refresh(q));

        List<Long> timeouts = rows.pythonHeldFailures("mail", "TimeoutError", 5, Duration.ofMinutes(5));
        assertEquals(Map.of("TimeoutError", 5L), types(index.refresh(q)));
        List<FailureIndex.Held> same = index.refresh(q);
        assertSame(same, index.refresh(q), "nothing changed: the same list, no read of the rows");

        rows.pythonHeldFailures("sms", "ValueError", 3, Duration.ZERO); // new holds only
        assertEquals(Map.of("TimeoutError", 5L, "ValueError", 3L), types(index.refresh(q)));

        QueueAdmin admin = QueueAdmin.create(TABLES);
        admin.requeue(q, timeouts.subList(0, 2));
        assertEquals(Map.of("TimeoutError", 3L, "ValueError", 3L), types(index.refresh(q)));
        // held again, now with another exception: a new 'failed' log row and a new hold time
        rows.sql("WITH h AS (UPDATE pgqueuer SET status = 'failed', updated = now() WHERE id = " + timeouts.get(0)
                + " RETURNING id, entrypoint, priority) INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority, "
                + "traceback) SELECT id, 'failed', entrypoint, priority, '{\"exception_type\": \"KeyError\"}' FROM h");
        assertEquals(Map.of("TimeoutError", 3L, "ValueError", 3L, "KeyError", 1L), types(index.refresh(q)));
        admin.cancel(q, timeouts.subList(2, 5));
        assertEquals(Map.of("ValueError", 3L, "KeyError", 1L), types(index.refresh(q)));
        assertEquals(rows.strings("SELECT id FROM pgqueuer WHERE status = 'failed' ORDER BY id DESC").stream()
                .map(Long::valueOf).toList(), index.refresh(q).stream().map(FailureIndex.Held::id).toList());
    }

    private static Map<String, Long> types(List<FailureIndex.Held> held) {
        Map<String, Long> out = new TreeMap<>();
        held.forEach(h -> out.merge(h.exceptionType(), 1L, Long::sum));
        return out;
    }
}
