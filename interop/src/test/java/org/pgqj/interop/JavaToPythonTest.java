package org.pgqj.interop;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.DuplicateJobException;
import org.pgqj.enqueue.EnqueueResult;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.enqueue.OnConflict;
import org.pgqj.payload.Entrypoint;
import org.pgqj.payload.PayloadCodec;
import org.pgqj.testing.RequiresPython;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.testing.queue.TestQueue;

/** Java enqueues (typed records, batches, delays, dedupe, rolled-back transactions); Python pgqueuer runs them. */
@ExtendWith(RequiresPython.class)
@QueueTest
@Timeout(180)
class JavaToPythonTest {

    @Entrypoint("j2p_typed")
    record ShipOrder(long orderId, String sku, List<String> tags, Optional<String> note) {
    }

    static PythonWorker python;
    static final JobQueue QUEUE = JobQueue.create(QueueTables.defaults());

    @BeforeAll
    static void start(TestDatabase db, TestQueue migrated) { // taking the TestQueue migrates the queue schema now
        python = PythonWorker.start(db, List.of(PythonWorker.entrypoint("j2p"), PythonWorker.entrypoint("j2p_typed"),
                PythonWorker.entrypoint("j2p_delayed")));
    }

    @AfterAll
    static void stop() {
        if (python != null) {
            python.close();
        }
    }

    @Test
    void typedRecordsBatchesDelaysAndRollbacks(TestDatabase db) throws Exception {
        DSLContext dsl = Interop.dsl(db);
        int before = python.starts().size();
        List<ShipOrder> orders = List.of(new ShipOrder(1, "sku-1", List.of("a", "b"), Optional.of("fragile")),
                new ShipOrder(2, "bl\u00e5b\u00e6r", List.of(), Optional.empty()));
        List<Long> typedIds = QUEUE.enqueueRecords(dsl, orders);

        List<NewJob> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            NewJob.Builder b = NewJob.builder("j2p").priority(i % 7 - 3);
            if (i % 2 == 0) {
                b.payload(("{\"i\": " + i + "}").getBytes(UTF_8));
            }
            if (i % 3 == 0) {
                b.header("tenant", "t" + i).header("otel", "{\"traceparent\": \"00-abc\"}");
            }
            batch.add(b.build());
        }
        List<Long> batchIds = QUEUE.enqueueAll(dsl, batch);

        long delayedEnqueued = Interop.nowMicros();
        long delayedId = QUEUE.enqueue(dsl, NewJob.builder("j2p_delayed").delay(Duration.ofSeconds(2)).build());

        long[] rolledBack = new long[1];
        assertThrows(IllegalStateException.class, () -> dsl.transaction(trx -> {
            rolledBack[0] = QUEUE.enqueue(trx.dsl(), NewJob.of("j2p", "rolled back".getBytes(UTF_8)));
            throw new IllegalStateException("roll back");
        }));
        long sentinel = QUEUE.enqueue(dsl, NewJob.of("j2p", "after the rollback".getBytes(UTF_8)));

        int expected = orders.size() + batch.size() + 2;
        python.awaitStarts(before + expected, Duration.ofSeconds(60));
        Map<Long, JsonNode> seen = python.startsById();

        PayloadCodec codec = PayloadCodec.defaults();
        for (int i = 0; i < orders.size(); i++) {
            JsonNode e = seen.get(typedIds.get(i));
            assertEquals("j2p_typed", e.get("entrypoint").asText());
            assertEquals(orders.get(i), codec.decode(Base64.getDecoder().decode(e.get("payload").asText()), ShipOrder.class));
        }
        for (int i = 0; i < batch.size(); i++) {
            JsonNode e = seen.get(batchIds.get(i));
            NewJob sent = batch.get(i);
            assertEquals(sent.priority(), e.get("priority").asInt(), "priority");
            assertEquals(0, e.get("attempts").asInt(), "attempts");
            assertEquals(sent.payload().map(p -> Base64.getEncoder().encodeToString(p)).orElse(null),
                    e.get("payload").isNull() ? null : e.get("payload").asText(), "payload of " + batchIds.get(i));
            Map<?, ?> headers = e.get("headers").isNull() ? Map.of() : Interop.JSON.convertValue(e.get("headers"), Map.class);
            assertEquals(sent.headers(), headers, "headers of " + batchIds.get(i));
        }
        JsonNode delayed = seen.get(delayedId);
        assertTrue(delayed.get("t").asLong() >= delayed.get("execute_after_us").asLong(), "ran before execute_after");
        assertTrue(delayed.get("execute_after_us").asLong() >= delayedEnqueued + 1_900_000, "execute_after is now() + 2 s");
        assertTrue(seen.containsKey(sentinel));
        assertFalse(seen.containsKey(rolledBack[0]), "a job of a rolled-back transaction ran");
        assertEquals(0, python.twice());
        assertEquals(0, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer_log WHERE job_id = ?", rolledBack[0]));
        Interop.report("JavaToPythonTest.typedRecordsBatchesDelaysAndRollbacks", "jobs=" + expected
                + " typed=" + orders.size() + " batch=" + batch.size() + " delayed_ran_after_ms="
                + (delayed.get("t").asLong() - delayedEnqueued) / 1000 + " rolled_back_ran=0 lost="
                + (expected - (seen.size() - before)) + " twice=" + python.twice());
    }

    @Test
    void dedupeKeysAreSharedBothWays(TestDatabase db) {
        DSLContext dsl = Interop.dsl(db);
        // an entrypoint nobody serves, so the jobs stay queued and hold their keys
        long javaHeld = QUEUE.enqueue(dsl, NewJob.builder("j2p_parked").dedupeKey("java-key").build());
        List<JsonNode> pyRaise = Interop.runPython(db, "enqueue", "--jobs",
                Interop.json(List.of(Map.of("entrypoint", "j2p_parked", "dedupe_key", "java-key"))));
        assertEquals("duplicate", pyRaise.getFirst().get("event").asText(), "Python raise on a key Java holds");
        List<JsonNode> pySkip = Interop.runPython(db, "enqueue", "--on-conflict", "skip", "--jobs",
                Interop.json(List.of(Map.of("entrypoint", "j2p_parked", "dedupe_key", "java-key"),
                        Map.of("entrypoint", "j2p_parked", "dedupe_key", "python-key"))));
        assertTrue(pySkip.get(0).get("id").isNull(), "Python skip on a key Java holds");
        long pythonHeld = pySkip.get(1).get("id").asLong();
        // Python's update_priority on a key a Java job holds: the Java row's id back, its priority raised
        List<JsonNode> pyUpdate = Interop.runPython(db, "enqueue", "--on-conflict", "update_priority", "--jobs",
                Interop.json(List.of(Map.of("entrypoint", "j2p_parked", "dedupe_key", "java-key", "priority", 9))));
        assertEquals(javaHeld, pyUpdate.getFirst().get("id").asLong(), "update_priority returns the existing id");
        assertEquals(1, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer WHERE id = ? AND priority = 9", javaHeld));

        DuplicateJobException raised = assertThrows(DuplicateJobException.class,
                () -> QUEUE.enqueue(dsl, NewJob.builder("j2p_parked").dedupeKey("python-key").build()));
        assertTrue(raised.dedupeKeys().contains("python-key"), raised::getMessage);
        EnqueueResult skipped = QUEUE.enqueue(dsl, List.of(NewJob.builder("j2p_parked").dedupeKey("python-key").build(),
                NewJob.builder("j2p_parked").dedupeKey("fresh-key").build()), OnConflict.SKIP);
        assertEquals(List.of(0), skipped.skippedIndexes());
        // Java's UPDATE_PRIORITY on a key a Python job holds: the Python row's id back, its priority raised, never lowered
        EnqueueResult raisedByJava = QUEUE.enqueue(dsl, List.of(NewJob.builder("j2p_parked").dedupeKey("python-key")
                .priority(7).build()), OnConflict.UPDATE_PRIORITY);
        assertEquals(List.of(pythonHeld), raisedByJava.writtenIds(), "UPDATE_PRIORITY returns the existing id");
        assertEquals(1, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer WHERE id = ? AND priority = 7", pythonHeld));
        QUEUE.enqueue(dsl, List.of(NewJob.builder("j2p_parked").dedupeKey("python-key").priority(3).build()),
                OnConflict.UPDATE_PRIORITY);
        assertEquals(1, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer WHERE id = ? AND priority = 7", pythonHeld),
                "a lower priority leaves it as it was, as Python's update_priority does");
        assertEquals(3, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer WHERE entrypoint = 'j2p_parked'"));
        assertEquals(1, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer WHERE id = ? AND dedupe_key = 'java-key'", javaHeld));
        assertEquals(1, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer WHERE id = ? AND dedupe_key = 'python-key'", pythonHeld));
        Interop.report("JavaToPythonTest.dedupeKeysAreSharedBothWays",
                "python_raise=DuplicateJobError python_skip=null_id python_update_priority_on_java_row=existing_id,priority_9 "
                        + "java_raise=DuplicateJobException java_skip=skipped_index java_update_priority_on_python_row=existing_id,priority_7,never_lowered");
    }

    @Test
    void latencyJavaEnqueueToPythonHandler(TestDatabase db) throws Exception {
        DSLContext dsl = Interop.dsl(db);
        int n = 100;
        int before = python.starts().size();
        Map<Long, Long> enqueuedAt = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            long id = QUEUE.enqueue(dsl, NewJob.of("j2p", ("{\"i\": " + i + "}").getBytes(UTF_8)));
            enqueuedAt.put(id, Interop.nowMicros());
            Thread.sleep(20);
        }
        python.awaitStarts(before + n, Duration.ofSeconds(60));
        Map<Long, JsonNode> seen = python.startsById();
        Interop.Latency latency = new Interop.Latency();
        enqueuedAt.forEach((id, t) -> latency.add(t, seen.get(id).get("t").asLong()));
        assertEquals(n, latency.size());
        assertEquals(0, python.twice());
        Interop.report("JavaToPythonTest.latencyJavaEnqueueToPythonHandler", "jobs=" + n + " lost=0 twice=0 "
                + latency.figures("java_enqueue_to_py_start"));
    }
}
