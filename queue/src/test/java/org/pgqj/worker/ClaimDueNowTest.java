package org.pgqj.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.pgqj.core.Job;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.queue.ClaimQuery;
import org.pgqj.internal.sql.DedicatedConnection;
import org.pgqj.testing.TestDatabase;

/** pgqueuer 2.0's dequeue eligibility: a job whose execute_after is exactly the claim's now() is claimed. */
@MigratedQueueTest
class ClaimDueNowTest {

    @Test
    void aJobDueExactlyNowIsEligibleAndOneDueLaterIsNot(TestDatabase db, TestJobs jobs) throws Exception {
        long dueNow = jobs.enqueue("due", "now".getBytes(UTF_8));
        long dueLater = jobs.enqueue("due", "later".getBytes(UTF_8));
        List<ClaimQuery.Part> parts = List.of(new ClaimQuery.Part("due", 0, 10, Duration.ofMinutes(5)));
        ClaimQuery claim = new ClaimQuery(UUID.randomUUID(), QueueTables.defaults().names());
        try (DedicatedConnection connection = new DedicatedConnection(db.dataSource(), QueueTables.defaults(), IllegalStateException::new)) {
            List<Job> claimed = connection.jdbc(s -> {
                Connection c = s.connection();
                c.setAutoCommit(false);
                try {
                    try (Statement st = c.createStatement()) {
                        // now() is the transaction's start, so the claim below sees execute_after = now() exactly
                        st.execute("UPDATE pgqueuer SET execute_after = now() WHERE id = " + dueNow);
                        st.execute("UPDATE pgqueuer SET execute_after = now() + interval '1 microsecond' WHERE id = " + dueLater);
                    }
                    List<Job> result = claim.claim(s, parts, 10, new Long[0]);
                    c.commit();
                    return result;
                } finally {
                    c.setAutoCommit(true);
                }
            });
            assertEquals(List.of(dueNow), claimed.stream().map(Job::id).toList());
        }
    }
}
