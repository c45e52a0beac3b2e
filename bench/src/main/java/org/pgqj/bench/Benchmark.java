package org.pgqj.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.jooq.impl.DSL;

/**
 * The benchmark's entry point: {@code java -jar pgqj-bench-all.jar --mode drain --jobs 100000 --with-baseline}.
 * Runs one mode (see {@link BenchOptions#USAGE}) in a fresh pgqueuer install of its own, prints a
 * readable summary, and with {@code --output-json} writes every figure as JSON.
 */
public final class Benchmark {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Benchmark() {
    }

    /** Runs the benchmark; exits with 2 on a bad option, 1 on a failure. */
    public static void main(String[] args) {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        int code = run(args, null, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Parses {@code args} and runs on {@code dataSource} (null: {@code DATABASE_URL} or an embedded
     * PostgreSQL). Returns the exit code.
     */
    static int run(String[] args, DataSource dataSource, PrintStream out, PrintStream err) {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (BenchOptions.HelpRequested e) {
            out.print(BenchOptions.USAGE);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("pgqj-bench: " + e.getMessage());
            err.print(BenchOptions.USAGE);
            return 2;
        }
        if (options.attach().isPresent()) {
            // a child worker process of --processes: its stdout is the conversation with the parent
            try (BenchDatabase db = BenchDatabase.attach(options.databaseUrl(), options.attach().get())) {
                WorkerProcesses.child(options, new BenchJobs(db, options),
                        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), out);
                return 0;
            } catch (Exception e) {
                err.println("pgqj-bench: worker process failed: " + e);
                e.printStackTrace(err);
                return 1;
            }
        }
        try (BenchDatabase db = dataSource == null ? BenchDatabase.open(options.databaseUrl(), options.durability())
                : BenchDatabase.on(dataSource, "given data source", options.durability())) {
            Map<String, Object> report = run(options, db);
            print(report, out);
            if (options.outputJson().isPresent()) {
                Path file = options.outputJson().get();
                JSON.writeValue(file.toFile(), report);
                out.println("JSON report: " + file.toAbsolutePath());
            }
            return 0;
        } catch (Exception e) {
            err.println("pgqj-bench: " + options.mode().name().toLowerCase(Locale.ROOT) + " failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    /** Runs the options' mode on the install and returns the report. */
    static Map<String, Object> run(BenchOptions o, BenchDatabase db) throws Exception {
        BenchJobs jobs = new BenchJobs(db, o);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("benchmark", "pgqj-bench");
        report.put("mode", o.mode().name().toLowerCase(Locale.ROOT));
        report.put("started", Instant.now().toString());
        report.put("options", options(o));
        report.put("environment", environment(db));
        Map<String, Object> results = new LinkedHashMap<>();
        switch (o.mode()) {
            case THROUGHPUT -> results.put("worker", ThroughputRun.run(o, jobs, db));
            case DRAIN -> {
                results.put("worker", DrainRun.run(o, jobs, db));
                if (o.withBaseline()) {
                    results.put("baseline", BaselineRun.run(o, jobs, db));
                    results.put("worker_to_baseline", rate(results, "worker") / rate(results, "baseline"));
                }
            }
            case LATENCY -> results.put("worker", LatencyRun.run(o, jobs, db));
            case BASELINE -> results.put("baseline", BaselineRun.run(o, jobs, db));
        }
        report.put("results", results);
        jobs.observabilityReport().ifPresent(r -> report.put("observability", r)); // beside the results, which all are runs
        return report;
    }

    @SuppressWarnings("unchecked")
    private static double rate(Map<String, Object> results, String key) {
        return ((Number) ((Map<String, Object>) results.get(key)).get("jobs_per_s")).doubleValue();
    }

    private static Map<String, Object> options(BenchOptions o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jobs", o.jobCount());
        m.put("duration_s", o.duration().toNanos() / 1e9);
        m.put("workers", o.workers());
        m.put("batch_size", o.batchSize());
        m.put("max_batch_size", o.maxBatchSize().map(String::valueOf).orElse("default"));
        m.put("enqueue_batch_size", o.enqueueBatchSize());
        m.put("producers", o.producers());
        m.put("concurrency_limit", o.concurrencyLimit());
        m.put("max_concurrent", o.maxConcurrent());
        m.put("with_baseline", o.withBaseline());
        m.put("observability", o.observability());
        m.put("durability", o.durability().name().toLowerCase(Locale.ROOT));
        m.put("entrypoints", o.entrypoints());
        m.put("limited", o.limited());
        m.put("payload_bytes", o.payloadBytes().map(String::valueOf).orElse("default"));
        m.put("processes", o.processes());
        m.put("backlog", o.backlog());
        m.put("foreign_backlog", o.foreignBacklog());
        m.put("delayed_backlog", o.delayedBacklog());
        m.put("rate", o.rate());
        return m;
    }

    private static Map<String, Object> environment(BenchDatabase db) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("java", Runtime.version().toString());
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        m.put("database", db.description());
        m.put("schema", db.tables().names().schema());
        var dsl = db.tables().dsl(db.dataSource());
        // server settings for the record; SHOW has no jOOQ DSL and touches no queue table
        for (String setting : List.of("server_version", "synchronous_commit", "shared_buffers")) {
            m.put(setting, dsl.fetchValue(DSL.sql("SHOW " + setting)));
        }
        // which of the install's tables are UNLOGGED (--durability), read back from the catalog
        m.put("unlogged_tables", dsl.fetch("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = ? AND c.relkind = 'r' AND c.relpersistence = 'u' ORDER BY c.relname",
                db.tables().names().schema()).getValues(0, String.class));
        m.put("load_average", JvmStats.load());
        return m;
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> report, PrintStream out) {
        Map<String, Object> env = (Map<String, Object>) report.get("environment");
        Map<String, Object> opt = (Map<String, Object>) report.get("options");
        out.printf(Locale.ROOT, "pgqj-bench %s | PostgreSQL %s, Java %s, %s cpus | %s%n", report.get("mode"),
                env.get("server_version"), env.get("java"), env.get("cpus"), opt);
        Map<String, Object> results = (Map<String, Object>) report.get("results");
        for (Map.Entry<String, Object> e : results.entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> r0)) {
                continue;
            }
            Map<String, Object> r = (Map<String, Object>) r0;
            String what = e.getKey();
            switch ((String) report.get("mode")) {
                case "throughput" -> out.printf(Locale.ROOT,
                        "  %s: %.1f s, enqueued %,d (%,.0f jobs/s), completed %,d (%,.0f jobs/s), %,d rows left%n",
                        what, r.get("seconds"), r.get("enqueued"), r.get("enqueued_per_s"), r.get("completed"),
                        r.get("completed_per_s"), r.get("remaining_rows"));
                case "latency" -> out.printf(Locale.ROOT,
                        "  %s: enqueue -> handler start over %,d jobs: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms"
                                + " (the enqueue call alone: p50 %.2f ms, p99 %.2f ms; its return -> handler start: p50 %.2f ms, p99 %.2f ms)%n",
                        what, r.get("jobs"), r.get("p50_ms"), r.get("p90_ms"), r.get("p99_ms"), r.get("max_ms"),
                        r.get("enqueue_call_p50_ms"), r.get("enqueue_call_p99_ms"),
                        r.get("commit_to_handler_p50_ms"), r.get("commit_to_handler_p99_ms"));
                default -> out.printf(Locale.ROOT, "  %s: %,d jobs in %.2f s = %,.0f jobs/s, %,d rows left (queue filled at %,.0f jobs/s)%n",
                        what, r.get("jobs"), r.get("seconds"), r.get("jobs_per_s"), r.get("remaining_rows"),
                        r.get("prefill_jobs_per_s"));
            }
            if (r.get("wait_p50_ms") != null) {
                out.printf(Locale.ROOT, "    enqueue -> handler start (created to start, %,d jobs): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                        r.get("wait_jobs"), r.get("wait_p50_ms"), r.get("wait_p99_ms"), r.get("wait_max_ms"));
            }
            if (r.get("server") instanceof Map<?, ?> server) {
                out.println("    " + ServerStats.line((Map<String, Object>) server));
            }
            Map<String, Object> jvm = (Map<String, Object>) r.get("jvm");
            List<Long> samples = (List<Long>) jvm.get("heap_after_last_gc_samples_bytes");
            out.printf(Locale.ROOT, "    heap used %.1f MB before, %.1f MB after (after System.gc()); GC %d ms in %d collections;"
                            + " heap after last GC %s MB; this JVM's CPU %,d ms; load %.2f -> %.2f%n",
                    mb(jvm.get("heap_used_before_bytes")), mb(jvm.get("heap_used_after_bytes")), jvm.get("gc_time_ms"),
                    jvm.get("gc_count"), sampleLine(samples), jvm.get("cpu_ms"), jvm.get("load_average_before"),
                    jvm.get("load_average_after"));
        }
        if (results.get("worker_to_baseline") instanceof Double ratio) {
            out.printf(Locale.ROOT, "  worker/baseline: %.2f (%.0f%% of the bare statements)%n", ratio, ratio * 100);
        }
    }

    private static double mb(Object bytes) {
        return ((Number) bytes).doubleValue() / (1 << 20);
    }

    /** First, middle and last once-a-second sample; a leak shows as a rising sequence. */
    private static String sampleLine(List<Long> samples) {
        if (samples.isEmpty()) {
            return "(run too short to sample)";
        }
        long first = samples.getFirst();
        long mid = samples.get(samples.size() / 2);
        long last = samples.getLast();
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f (first/middle/last of %d samples)",
                mb(first), mb(mid), mb(last), samples.size());
    }
}
