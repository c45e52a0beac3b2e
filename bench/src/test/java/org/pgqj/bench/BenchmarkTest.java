package org.pgqj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/**
 * Every mode on a tiny size against a real PostgreSQL: the JSON report is complete and its counts add
 * up, and the benchmark's schema is gone afterwards. No timing is asserted.
 */
@Tag("slow") // among the slowest classes of the suite (see .ci/run's per-class times)
@ExtendWith(PostgresExtension.class)
class BenchmarkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private JsonNode run(TestDatabase db, String... args) throws Exception {
        Path file = dir.resolve("report-" + System.nanoTime() + ".json");
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--output-json";
        all[args.length + 1] = file.toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Benchmark.run(all, db.dataSource(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, () -> "exit code; stderr: " + err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("JSON report: "), out::toString);
        JsonNode report = JSON.readTree(file.toFile());
        for (String key : List.of("benchmark", "mode", "started", "options", "environment", "results")) {
            assertTrue(report.has(key), () -> "report lacks " + key + ": " + report);
        }
        for (String key : List.of("java", "cpus", "server_version", "schema", "load_average")) {
            assertTrue(report.get("environment").has(key), () -> "environment lacks " + key);
        }
        assertEquals(0, benchSchemas(db), "the benchmark drops its schema");
        return report;
    }

    private static void assertJvm(JsonNode result) {
        JsonNode jvm = result.get("jvm");
        for (String key : List.of("heap_used_before_bytes", "heap_used_after_bytes", "gc_time_ms", "gc_count",
                "heap_after_last_gc_samples_bytes", "load_average_before", "load_average_after")) {
            assertTrue(jvm.has(key), () -> "jvm lacks " + key + ": " + jvm);
        }
        assertTrue(jvm.get("heap_used_before_bytes").asLong() > 0);
        assertTrue(jvm.get("heap_used_after_bytes").asLong() > 0);
        assertTrue(jvm.get("gc_time_ms").asLong() >= 0);
    }

    private static int benchSchemas(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pgqj\\_bench\\_%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void observabilityRunsTheMetersAndSpansOnEveryJob(TestDatabase db) throws Exception {
        JsonNode report = run(db, "--mode", "drain", "--jobs", "120", "--batch-size", "10", "--observability");
        assertTrue(report.at("/options/observability").asBoolean());
        assertEquals(120, report.at("/results/worker/handled").asLong());
        assertEquals(120, report.at("/observability/jobs_counted").asLong());
        // prefill enqueues in batches of 1,000: one send span + one create span per job; one process span per job
        assertEquals(1 + 120 + 120, report.at("/observability/spans_exported").asLong(), report.toString());
    }

    @Test
    void drainWithBaselineRunsEveryJobOnceInBoth(TestDatabase db) throws Exception {
        JsonNode report = run(db, "--mode", "drain", "--jobs", "300", "--batch-size", "7", "--max-batch-size", "7",
                "--workers", "2", "--with-baseline");
        assertEquals("drain", report.get("mode").asText());
        JsonNode worker = report.at("/results/worker");
        assertEquals(300, worker.get("jobs").asInt());
        assertEquals(300, worker.get("handled").asLong(), "each job's handler ran once");
        assertEquals(0, worker.get("remaining_rows").asInt());
        assertTrue(worker.get("jobs_per_s").asDouble() > 0);
        assertJvm(worker);
        JsonNode baseline = report.at("/results/baseline");
        assertEquals(300, baseline.get("claimed").asLong());
        assertEquals(300, baseline.get("completed").asLong());
        assertEquals(0, baseline.get("remaining_rows").asInt());
        // the baseline claims what a worker claims on a deep backlog: --max-batch-size (here fixed at 7)
        assertEquals(7, baseline.get("batch_size").asInt());
        assertTrue(baseline.get("statements").asLong() >= 2 * Math.ceilDiv(300, 7));
        assertJvm(baseline);
        double ratio = report.at("/results/worker_to_baseline").asDouble();
        assertEquals(worker.get("jobs_per_s").asDouble() / baseline.get("jobs_per_s").asDouble(), ratio, 1e-9);
    }

    @Test
    void drainOverManyEntrypointsSomeLimitedWithBigPayloads(TestDatabase db) throws Exception {
        JsonNode report = run(db, "--mode", "drain", "--jobs", "300", "--entrypoints", "7", "--limited", "2",
                "--concurrency-limit", "3", "--payload-bytes", "2000", "--max-batch-size", "40");
        assertEquals(7, report.at("/options/entrypoints").asInt());
        assertEquals(2, report.at("/options/limited").asInt());
        JsonNode worker = report.at("/results/worker");
        assertEquals(300, worker.get("handled").asLong(), "each job's handler ran once");
        assertEquals(0, worker.get("remaining_rows").asInt());
        JsonNode server = worker.get("server");
        // 300 jobs of 2,000 bytes were claimed, run and deleted: the WAL holds at least their row versions' locks
        // and log rows, never nothing
        assertTrue(server.get("wal_bytes_per_job").asDouble() > 0, server::toString);
        assertTrue(server.has("statements"), server::toString);
    }

    @Test
    void aForeignBacklogIsLeftQueuedWhileTheWorkerDrainsItsOwn(TestDatabase db) throws Exception {
        // 1,100 foreign rows ahead of 300 over 12 entrypoints: more than a claim of up to 40 reads in its shared scan
        JsonNode report = run(db, "--mode", "drain", "--jobs", "300", "--entrypoints", "12", "--max-batch-size", "40",
                "--foreign-backlog", "1100");
        assertEquals(1100, report.at("/options/foreign_backlog").asInt());
        JsonNode worker = report.at("/results/worker");
        assertEquals(300, worker.get("handled").asLong(), "each of the run's jobs ran once");
        assertEquals(1100, worker.get("remaining_rows").asInt(), "the foreign backlog is untouched");
    }

    @Test
    void workerProcessesDrainOneQueueTogether(TestDatabase db) throws Exception {
        JsonNode report = run(db, "--mode", "drain", "--jobs", "400", "--processes", "2", "--entrypoints", "3",
                "--database-url", db.postgresUrl());
        JsonNode worker = report.at("/results/worker");
        assertEquals(2, worker.get("processes").asInt());
        assertEquals(400, worker.get("handled").asLong(), "the two processes ran each job once between them");
        assertEquals(0, worker.get("remaining_rows").asInt());
    }

    @Test
    void throughputAtASteadyRateOverABacklog(TestDatabase db) throws Exception {
        JsonNode report = run(db, "--mode", "throughput", "--duration", "1", "--backlog", "60", "--rate", "200",
                "--enqueue-batch-size", "10", "--entrypoints", "2");
        JsonNode r = report.at("/results/worker");
        long enqueued = r.get("enqueued").asLong();
        // the schedule: one batch of 10 every 50 ms for 1 s, the first at once
        assertTrue(enqueued > 0 && enqueued <= 200, () -> "at most 200 jobs at 200 jobs/s in 1 s: " + enqueued);
        assertEquals(60 + enqueued, r.get("completed_after_close").asLong() + r.get("remaining_rows").asLong(),
                "every job of the backlog and the window was either run or is still queued");
        assertTrue(r.get("wait_p50_ms").asDouble() <= r.get("wait_p99_ms").asDouble(), r::toString);
    }

    @Test
    void aDelayedBacklogAheadInClaimOrderStaysQueuedWhileTheRunsJobsRun(TestDatabase db) throws Exception {
        // 1,100 rows due tomorrow ahead of the run's over 12 entrypoints: more than a claim of up to 40 scans
        JsonNode report = run(db, "--mode", "throughput", "--duration", "1", "--backlog", "60", "--rate", "200",
                "--enqueue-batch-size", "10", "--entrypoints", "12", "--max-batch-size", "40",
                "--delayed-backlog", "1100");
        assertEquals(1100, report.at("/options/delayed_backlog").asInt());
        JsonNode r = report.at("/results/worker");
        long enqueued = r.get("enqueued").asLong();
        assertEquals(60 + enqueued + 1100, r.get("completed_after_close").asLong() + r.get("remaining_rows").asLong(),
                r::toString);
        assertTrue(r.get("remaining_rows").asLong() >= 1100, () -> "none due tomorrow ran: " + r);
        assertTrue(r.get("completed_after_close").asLong() >= 60, () -> "the backlog due now ran: " + r);
    }

    @Test
    void aDrainBehindADelayedBacklogEndsWhenItsJobsRan(TestDatabase db) throws Exception {
        JsonNode report = run(db, "--mode", "drain", "--jobs", "300", "--entrypoints", "12", "--max-batch-size", "40",
                "--delayed-backlog", "1100");
        JsonNode worker = report.at("/results/worker");
        assertEquals(300, worker.get("handled").asLong(), "each of the run's jobs ran once");
        assertEquals(1100, worker.get("remaining_rows").asInt(), "none due tomorrow ran");
    }

    @Test
    void payloadsHaveTheAskedSizeAndEntrypointsTheirNames() {
        assertEquals(8, BenchJobs.payload(8).length);
        assertEquals(100_000, BenchJobs.payload(100_000).length);
        assertEquals(List.of("bench"), BenchJobs.entrypointNames(1));
        assertEquals(List.of("bench_0", "bench_1", "bench_2"), BenchJobs.entrypointNames(3));
    }

    @Test
    void durabilityMakesTheChosenTablesUnlogged(TestDatabase db) throws Exception {
        JsonNode balanced = run(db, "--mode", "drain", "--jobs", "50", "--durability", "balanced");
        assertEquals("balanced", balanced.at("/options/durability").asText());
        assertEquals(List.of("pgqueuer_log", "pgqueuer_statistics"), texts(balanced.at("/environment/unlogged_tables")));
        assertEquals(50, balanced.at("/results/worker/jobs").asInt());
        assertEquals(0, balanced.at("/results/worker/remaining_rows").asInt());
        JsonNode durable = run(db, "--mode", "drain", "--jobs", "50");
        assertEquals("durable", durable.at("/options/durability").asText());
        assertEquals(List.of(), texts(durable.at("/environment/unlogged_tables")));
    }

    private static List<String> texts(JsonNode array) {
        assertTrue(array.isArray(), () -> "not an array: " + array);
        List<String> values = new java.util.ArrayList<>();
        array.forEach(n -> values.add(n.asText()));
        return values;
    }

    @Test
    void throughputCountsAddUp(TestDatabase db) throws Exception {
        JsonNode report = run(db, "--mode", "throughput", "--duration", "1", "--producers", "2",
                "--enqueue-batch-size", "20", "--batch-size", "5", "--concurrency-limit", "3", "--max-concurrent", "4");
        JsonNode r = report.at("/results/worker");
        long enqueued = r.get("enqueued").asLong();
        assertTrue(enqueued > 0 && enqueued % 20 == 0, () -> "whole batches of 20 enqueued: " + enqueued);
        assertTrue(r.get("completed").asLong() <= r.get("completed_after_close").asLong());
        assertEquals(enqueued, r.get("completed_after_close").asLong() + r.get("remaining_rows").asLong(),
                "every enqueued job was either run or is still queued");
        assertEquals(3, report.at("/options/concurrency_limit").asInt());
        assertJvm(r);
    }

    @Test
    void latencyReportsOrderedPercentiles(TestDatabase db) throws Exception {
        JsonNode report = run(db, "--mode", "latency", "--jobs", "20", "--warmup", "20");
        JsonNode r = report.at("/results/worker");
        assertEquals(20, r.get("jobs").asInt());
        assertEquals(20, r.get("warmup_jobs").asInt());
        double p50 = r.get("p50_ms").asDouble();
        double p90 = r.get("p90_ms").asDouble();
        double p99 = r.get("p99_ms").asDouble();
        double max = r.get("max_ms").asDouble();
        assertTrue(0 < p50 && p50 <= p90 && p90 <= p99 && p99 <= max, r::toString);
        assertEquals(0, r.get("remaining_rows").asInt(), "all warm-up and measured jobs ran");
        assertJvm(r);
    }

    @Test
    void baselineAloneDrainsTheQueue(TestDatabase db) throws Exception {
        JsonNode report = run(db, "--mode", "baseline", "--jobs", "250", "--batch-size", "100", "--workers", "2");
        JsonNode r = report.at("/results/baseline");
        assertEquals(250, r.get("completed").asLong());
        assertEquals(0, r.get("remaining_rows").asInt());
        assertFalse(report.at("/results").has("worker"));
    }

    @Test
    void badOptionsNameTheFlagAndExitWithTwo(TestDatabase db) {
        for (String[] args : List.of(new String[] {"--jobz", "3"}, new String[] {"--jobs", "many"},
                new String[] {"--mode", "fast"}, new String[] {"--durability", "safe"}, new String[] {"--workers"},
                new String[] {"--mode", "latency", "--with-baseline"}, new String[] {"--limited", "3", "--entrypoints", "2"},
                new String[] {"--limited", "1"}, new String[] {"--payload-bytes", "3"}, new String[] {"--backlog", "5"}, new String[] {"--foreign-backlog", "5", "--mode", "latency"},
                new String[] {"--delayed-backlog", "5", "--mode", "latency"},
                new String[] {"--delayed-backlog", "5", "--processes", "2"},
                new String[] {"--processes", "2", "--mode", "latency"})) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Benchmark.run(args, db.dataSource(), new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, code, () -> String.join(" ", args));
            String message = err.toString(StandardCharsets.UTF_8).lines().findFirst().orElse("");
            String flag = args[0].equals("--mode") && args.length > 2 ? "--with-baseline" : args[0];
            assertTrue(message.contains(flag), () -> "'" + message + "' names " + flag);
        }
    }

    @Test
    void percentileIsNearestRank() {
        long[] sorted = new long[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = i + 1;
        }
        assertEquals(50, LatencyRun.percentile(sorted, 50));
        assertEquals(99, LatencyRun.percentile(sorted, 99));
        assertEquals(100, LatencyRun.percentile(sorted, 100));
        assertEquals(1, LatencyRun.percentile(new long[] {1}, 99));
    }
}
