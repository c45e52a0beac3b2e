package org.pgqj.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.pgqj.testing.Await;
import org.pgqj.testing.PythonEnv;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.TestProcess;
import org.pgqj.worker.Worker;

/**
 * What the interop tests share: the Python side (pgq_interop.py, the {@code pgq} CLI), the Java CLI jar as a
 * process, the JSON events the script prints, and the figures each test reports on {@code INTEROP} lines.
 */
final class Interop {

    static final ObjectMapper JSON = new ObjectMapper();

    private Interop() {
    }

    /** The venv (skips the test when there is no python3). */
    static PythonEnv python() {
        return PythonEnv.require();
    }

    static Path script() {
        return Path.of(System.getProperty("pgqj.interop.scripts", "src/test/python"), "pgq_interop.py");
    }

    /** Starts {@code pgq_interop.py ARGS} against {@code db}. */
    static TestProcess startPython(TestDatabase db, String... args) {
        return TestProcess.start("pgq_interop.py " + args[0] + (args.length > 2 ? " " + args[2] : ""),
                python().script(db.postgresUrl(), script(), args));
    }

    /** Runs {@code pgq_interop.py ARGS} to its end (60 s at most); fails on a non-zero exit. */
    static List<JsonNode> runPython(TestDatabase db, String... args) {
        TestProcess.Result r = TestProcess.run("pgq_interop.py", python().script(db.postgresUrl(), script(), args),
                Duration.ofSeconds(60));
        if (r.exitCode() != 0) {
            throw new AssertionError("pgq_interop.py " + String.join(" ", args) + " failed: " + r);
        }
        return events(r.out());
    }

    /** Runs Python pgqueuer's own CLI ({@code pgq ARGS}) against {@code db}. */
    static TestProcess.Result pgq(TestDatabase db, String... args) {
        return pgq(db.postgresUrl(), args);
    }

    /** Runs {@code pgq ARGS} against the database at {@code dsn}. */
    static TestProcess.Result pgq(String dsn, String... args) {
        return TestProcess.run("pgq " + String.join(" ", args), python().process(dsn, "pgq", args), Duration.ofSeconds(90));
    }

    /** Runs the Java CLI's shaded jar ({@code pgqj ARGS}) against {@code db}, as a user would. */
    static TestProcess.Result pgqj(TestDatabase db, String... args) {
        return pgqj(db.postgresUrl(), args);
    }

    /** Runs {@code pgqj ARGS} against the database at {@code dsn}. */
    static TestProcess.Result pgqj(String dsn, String... args) {
        Path jar = Path.of(System.getProperty("pgqj.cli.jar", "../cli/target/pgqj-cli-0.1.0-SNAPSHOT-all.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException("No pgqj jar at " + jar + ": build with ./mvnw -pl interop -am verify");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("PGQUEUER_") || k.equals("PGDSN"));
        pb.environment().put("DATABASE_URL", dsn);
        return TestProcess.run("pgqj " + String.join(" ", args), pb, Duration.ofSeconds(90));
    }

    static List<JsonNode> events(List<String> lines) {
        List<JsonNode> events = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("{")) {
                try {
                    events.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException("not JSON: " + line, e);
                }
            }
        }
        return events;
    }

    static List<JsonNode> events(TestProcess p, String type) {
        return events(p.outLines()).stream().filter(e -> e.path("event").asText().equals(type)).toList();
    }

    /** Waits until the script printed {@code count} events of {@code type}. */
    static List<JsonNode> await(TestProcess p, String type, int count, Duration timeout) {
        String marker = "\"event\": \"" + type + "\"";
        return events(p.awaitLines(l -> l.contains(marker), count, timeout));
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Wall-clock microseconds since the epoch, as the script prints them. */
    static long nowMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    static long count(DataSource ds, String sql, Object... params) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i] instanceof Long[] ids ? c.createArrayOf("bigint", ids) : params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * The database's own view of the same path: from each job's {@code queued} log row to its first
     * {@code picked} row (both stamped by now() on the server), as p50/p99 milliseconds.
     */
    static String queuedToPicked(DataSource ds, String entrypoint) {
        String sql = "SELECT percentile_cont(?) WITHIN GROUP (ORDER BY extract(epoch FROM p.created - q.created) * 1000) "
                + "FROM pgqueuer_log q JOIN LATERAL (SELECT min(created) AS created FROM pgqueuer_log p "
                + "WHERE p.job_id = q.job_id AND p.status = 'picked') p ON true "
                + "WHERE q.status = 'queued' AND q.entrypoint = ? AND p.created IS NOT NULL";
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            double[] p = new double[2];
            double[] at = {0.5, 0.99};
            for (int i = 0; i < 2; i++) {
                ps.setDouble(1, at[i]);
                ps.setString(2, entrypoint);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    p[i] = rs.getDouble(1);
                }
            }
            return String.format(Locale.ROOT, "db_queued_to_picked_p50_ms=%.1f db_queued_to_picked_p99_ms=%.1f", p[0], p[1]);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    static void awaitListening(Worker worker) throws InterruptedException {
        Await.until("the Java worker LISTENs", Duration.ofSeconds(10), worker::isListening);
    }

    static void awaitEmptyQueue(TestDatabase db) throws InterruptedException {
        Await.until("an empty queue table", Duration.ofSeconds(10),
                () -> Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer") == 0);
    }

    /**
     * Adds a {@code warmup} entrypoint to {@code builder}, starts the worker with a 10-minute dequeue timeout
     * (so only NOTIFY wakes it in time) and returns once it listens and has run one warm-up job: the figures
     * measure a running worker, not its first claim's class loading.
     */
    static Worker warmedUp(TestDatabase db, Worker.Builder builder) throws InterruptedException {
        return warmedUp(db, builder, org.pgqj.worker.WorkerOptions.builder());
    }

    static Worker warmedUp(TestDatabase db, Worker.Builder builder, org.pgqj.worker.WorkerOptions.Builder options)
            throws InterruptedException {
        java.util.concurrent.CountDownLatch warm = new java.util.concurrent.CountDownLatch(1);
        String warmup = "warmup_java_" + java.util.UUID.randomUUID();
        Worker worker = builder
                .entrypoint(warmup, org.pgqj.worker.EntrypointOptions.defaults(), (job, ctx) -> warm.countDown())
                .options(options.dequeueTimeout(Duration.ofMinutes(10)).build())
                .build()
                .start();
        awaitListening(worker);
        org.pgqj.enqueue.JobQueue.create(org.pgqj.core.QueueTables.defaults())
                .enqueue(dsl(db), org.pgqj.enqueue.NewJob.of(warmup, new byte[0]));
        if (!warm.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
            worker.close();
            throw new AssertionError("the Java worker did not run its warm-up job within 60 s");
        }
        return worker;
    }

    /** A jOOQ context on the test database (default names). */
    static org.jooq.DSLContext dsl(TestDatabase db) {
        return org.pgqj.core.QueueTables.defaults().dsl(db.dataSource());
    }

    /** Latencies in microseconds, reported as p50/p99/max milliseconds. */
    static final class Latency {
        private final List<Long> micros = Collections.synchronizedList(new ArrayList<>());

        void add(long fromMicros, long toMicros) {
            micros.add(toMicros - fromMicros);
        }

        int size() {
            return micros.size();
        }

        double percentileMillis(double p) {
            List<Long> sorted;
            synchronized (micros) {
                sorted = new ArrayList<>(micros);
            }
            if (sorted.isEmpty()) {
                return Double.NaN;
            }
            Collections.sort(sorted);
            int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1000.0;
        }

        String figures(String name) {
            return String.format(Locale.ROOT, "%s_n=%d %s_p50_ms=%.1f %s_p99_ms=%.1f %s_max_ms=%.1f", name, size(), name,
                    percentileMillis(50), name, percentileMillis(99), name, percentileMillis(100));
        }
    }

    /** Prints one figure line for the integrator's note: {@code INTEROP <test> key=value ...}. */
    static void report(String test, String figures) {
        System.out.println("INTEROP " + test + " " + figures + " pgqueuer=" + pgqueuerVersion());
    }

    static String pgqueuerVersion() {
        for (String req : System.getProperty(PythonEnv.REQUIREMENTS_PROPERTY, "").split("\\s+")) {
            if (req.startsWith("pgqueuer==")) {
                return req.substring("pgqueuer==".length());
            }
        }
        return "?";
    }
}
