package org.pgqj.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.Job;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.RequiresPython;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;

/** Python pgqueuer enqueues (asyncpg and psycopg), a Java worker runs the jobs as they were written. */
@ExtendWith({RequiresPython.class, PostgresExtension.class})
@Timeout(120)
class PythonToJavaTest {

    @BeforeAll
    static void install(TestDatabase db) {
        var r = Interop.pgq(db, "install"); // Python's own install, not migrate()
        assertEquals(0, r.exitCode(), r::toString);
        // ... plus pgqueuer 2.0's statistics index, which pgq 1.6.0 (the newest on PyPI here) does not create and
        // a 2.x worker's schema check asks for: pgqj upgrade adds it, as pgq upgrade 2.x would
        var upgrade = Interop.pgqj(db, "upgrade");
        assertEquals(0, upgrade.exitCode(), upgrade::toString);
    }

    @Test
    void everyFieldArrivesAsPythonWroteIt(TestDatabase db) throws Exception {
        List<Map<String, Object>> jobs = new ArrayList<>();
        byte[] binary = {0, 1, 2, (byte) 0xff, (byte) 0xfe, '"', '\\'};
        for (int i = 0; i < 20; i++) {
            Map<String, Object> job = new LinkedHashMap<>();
            job.put("entrypoint", i % 2 == 0 ? "p2j_even" : "p2j_odd");
            job.put("priority", i % 5 - 2);
            switch (i % 4) {
                case 0 -> job.put("payload", "{\"n\": " + i + ", \"text\": \"bl\u00e5b\u00e6r\"}");
                case 1 -> job.put("payload_b64", Base64.getEncoder().encodeToString(binary));
                case 2 -> { } // payload NULL
                default -> job.put("payload", "");
            }
            if (i % 3 == 0) {
                job.put("headers", Map.of("tenant", "t" + i, "otel", "{\"traceparent\": \"00-x\"}"));
            }
            if (i % 5 == 0) {
                job.put("dedupe_key", "p2j-" + i);
            }
            jobs.add(job);
        }
        Runs runs = new Runs();
        try (Worker worker = javaWorker(db, runs)) {
            List<JsonNode> enqueued = new ArrayList<>();
            enqueued.addAll(Interop.runPython(db, "--driver", "asyncpg", "enqueue", "--jobs", Interop.json(jobs.subList(0, 10))));
            enqueued.addAll(Interop.runPython(db, "--driver", "psycopg", "enqueue", "--jobs", Interop.json(jobs.subList(10, 20))));
            assertEquals(20, enqueued.size());
            runs.awaitDistinct(20, Duration.ofSeconds(30));

            for (int i = 0; i < 20; i++) {
                Map<String, Object> sent = jobs.get(i);
                long id = enqueued.get(i).get("id").asLong();
                Job seen = runs.first(id).job();
                assertEquals(id, seen.id());
                assertEquals(sent.get("entrypoint"), seen.entrypoint());
                assertEquals(sent.get("priority"), seen.priority(), "priority of " + id);
                assertEquals(0, seen.attempts(), "attempts of " + id);
                byte[] expected = sent.containsKey("payload_b64") ? binary
                        : sent.containsKey("payload") ? ((String) sent.get("payload")).getBytes(StandardCharsets.UTF_8) : null;
                assertEquals(expected != null, seen.hasPayload(), "payload NULL-ness of " + id);
                assertArrayEquals(expected == null ? new byte[0] : expected, seen.payload(), "payload of " + id);
                assertEquals(sent.getOrDefault("headers", Map.of()), seen.headers(), "headers of " + id);
                assertEquals(Optional.ofNullable((String) sent.get("dedupe_key")), seen.dedupeKey(), "dedupe key of " + id);
            }
            Interop.awaitEmptyQueue(db);
            assertEquals(0, runs.twice());
            assertEquals(20, Interop.count(db.dataSource(),
                    "SELECT count(*) FROM pgqueuer_log WHERE status = 'successful' AND job_id = ANY(?)",
                    (Object) ids(db, enqueued)));
            Interop.report("PythonToJavaTest.everyFieldArrivesAsPythonWroteIt",
                    "jobs=20 drivers=asyncpg,psycopg lost=" + (20 - runs.distinct()) + " twice=" + runs.twice());
        }
    }

    @Test
    void latencyPythonEnqueueToJavaHandler(TestDatabase db) throws Exception {
        int n = 100;
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            jobs.add(Map.of("entrypoint", "p2j_even", "payload", "{\"i\": " + i + "}"));
        }
        Runs runs = new Runs();
        try (Worker worker = javaWorker(db, runs)) {
            List<JsonNode> enqueued = Interop.runPython(db, "enqueue", "--one-by-one", "--gap-ms", "20",
                    "--jobs", Interop.json(jobs));
            runs.awaitDistinct(n, Duration.ofSeconds(30));
            Interop.Latency latency = new Interop.Latency();
            for (JsonNode e : enqueued) {
                latency.add(e.get("t").asLong(), runs.first(e.get("id").asLong()).micros());
            }
            Interop.awaitEmptyQueue(db);
            assertEquals(n, runs.distinct());
            assertEquals(0, runs.twice());
            Interop.report("PythonToJavaTest.latencyPythonEnqueueToJavaHandler",
                    "jobs=" + n + " lost=0 twice=0 " + latency.figures("py_enqueue_to_java_start")
                    + " " + Interop.queuedToPicked(db.dataSource(), "p2j_even"));
        }
    }

    /** A Java worker that records every start; warmed up (first claim done) and listening when returned. */
    static Worker javaWorker(TestDatabase db, Runs runs) throws InterruptedException {
        return Interop.warmedUp(db, Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("p2j_even", EntrypointOptions.defaults(), (job, ctx) -> runs.started(job))
                .entrypoint("p2j_odd", EntrypointOptions.defaults(), (job, ctx) -> runs.started(job)));
    }

    private static Long[] ids(TestDatabase db, List<JsonNode> enqueued) {
        return enqueued.stream().map(e -> e.get("id").asLong()).toArray(Long[]::new);
    }
}
