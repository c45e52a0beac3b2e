package org.pgqj.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.testing.PgqueuerEnqueueStatement;
import org.pgqj.schema.PgqueuerSchema;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Enqueue throughput and latency against the PostgreSQL in {@code PGQUEUER_TEST_JDBC_URL} (a user that may
 * create databases). Not a test: run it by hand, e.g.
 * <pre>
 * ./mvnw -q -o -pl queue dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp queue/target/classes:queue/target/test-classes:$(cat /tmp/cp.txt) org.pgqj.bench.EnqueueBenchmark [seconds]
 * </pre>
 * Measures: batches of 1,000 jobs per call (jobs/s, each call its own transaction), the same statement
 * shape as plain JDBC with pgqueuer's SQL for comparison, and single-job enqueue latency next to a bare
 * {@code SELECT 1} round trip (inside an open transaction, and in auto-commit where the commit's WAL
 * flush is included).
 */
public final class EnqueueBenchmark {

    private static final int BATCH = 1_000;

    private EnqueueBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String adminUrl = System.getenv("PGQUEUER_TEST_JDBC_URL");
        if (adminUrl == null || adminUrl.isBlank()) {
            throw new IllegalStateException("Set PGQUEUER_TEST_JDBC_URL, e.g. jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
        }
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        String dbName = "pgqj_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection admin = DriverManager.getConnection(adminUrl); Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + dbName);
        }
        String url = adminUrl.replaceFirst("(jdbc:postgresql://[^/]+/)[^?]*", "$1" + dbName);
        try {
            run(url, seconds);
        } finally {
            try (Connection admin = DriverManager.getConnection(adminUrl); Statement st = admin.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + dbName + " WITH (FORCE)");
            }
        }
    }

    private static void run(String url, double seconds) throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        PgqueuerSchema.forDataSource(ds).migrate();
        QueueTables tables = QueueTables.defaults();
        JobQueue queue = JobQueue.create(tables);
        try (Connection c = ds.getConnection()) {
            DSLContext dsl = DSL.using(c, SQLDialect.POSTGRES);
            printSetting(c, "server_version");
            printSetting(c, "synchronous_commit");
            printSetting(c, "fsync");
            System.out.printf(Locale.ROOT, "JVM %s, %d cpus%n", Runtime.version(), Runtime.getRuntime().availableProcessors());

            List<NewJob> jobs = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                jobs.add(NewJob.builder("bench").payload(("{\"n\":" + i + ",\"user\":\"u-" + i + "\"}").getBytes(UTF_8))
                        .priority(i % 5).build());
            }

            // batch: JobQueue.enqueueAll vs pgqueuer's own statement over plain JDBC (the ceiling the SQL
            // sets), each call its own transaction (auto-commit). Rounds of 1 s alternate between the two so
            // that load from other processes on the machine hits both alike.
            try (PreparedStatement ps = c.prepareStatement(PgqueuerEnqueueStatement.SQL)) {
                Runnable viaQueue = () -> queue.enqueueAll(dsl, jobs);
                Runnable raw = () -> rawBatch(c, ps, jobs);
                loop(viaQueue, 1.5);
                loop(raw, 1.5);
                long qCalls = 0;
                long rCalls = 0;
                double qSec = 0;
                double rSec = 0;
                for (int round = 0; round < Math.max(1, (int) (seconds / 2)); round++) {
                    truncate(c);
                    Result q = loop(viaQueue, 1);
                    qCalls += q.calls;
                    qSec += q.seconds;
                    truncate(c);
                    Result r = loop(raw, 1);
                    rCalls += r.calls;
                    rSec += r.seconds;
                }
                System.out.printf(Locale.ROOT, "batch of %d via JobQueue:     %,10.0f jobs/s  (%d calls in %.1f s, mean %.2f ms/call)%n",
                        BATCH, qCalls * BATCH / qSec, qCalls, qSec, qSec * 1000 / qCalls);
                System.out.printf(Locale.ROOT, "batch of %d, pgqueuer SQL:    %,10.0f jobs/s  (%d calls in %.1f s, mean %.2f ms/call)%n",
                        BATCH, rCalls * BATCH / rSec, rCalls, rSec, rSec * 1000 / rCalls);
            }
            truncate(c);

            // rendering alone (no database): what jOOQ adds per call
            DSLContext offline = tables.dsl(DSL.using(SQLDialect.POSTGRES));
            Result render = loop(() -> offline.select(DSL.inline(1)).getSQL(), 0.5);
            System.out.printf(Locale.ROOT, "(jOOQ trivial render: %.1f us)%n", render.seconds * 1e6 / render.calls);

            // single job vs one round trip
            NewJob one = NewJob.builder("bench").payload("{\"n\":1}".getBytes(UTF_8)).build();
            try (Statement st = c.createStatement()) {
                Runnable select1 = () -> select1(st);
                Runnable enqueueOne = () -> queue.enqueue(dsl, one);
                for (boolean autoCommit : new boolean[] {false, true}) {
                    c.setAutoCommit(autoCommit);
                    latency(select1, 2_000);
                    latency(enqueueOne, 2_000);
                    double[] s1 = latency(select1, 5_000);
                    double[] enq = latency(enqueueOne, 5_000);
                    if (!autoCommit) {
                        c.rollback();
                    }
                    String mode = autoCommit ? "auto-commit (incl. commit)" : "inside an open transaction";
                    System.out.printf(Locale.ROOT, "%s: SELECT 1 median %.3f ms p99 %.3f ms | enqueue(1) median %.3f ms p99 %.3f ms | added median %.3f ms%n",
                            mode, s1[0], s1[1], enq[0], enq[1], enq[0] - s1[0]);
                }
            }
        }
    }

    private record Result(long calls, double seconds) { }

    private static Result loop(Runnable r, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        long calls = 0;
        while (System.nanoTime() < end) {
            r.run();
            calls++;
        }
        return new Result(calls, (System.nanoTime() - start) / 1e9);
    }

    /** Median and 99th percentile in milliseconds. */
    private static double[] latency(Runnable r, int n) {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return new double[] {ms[n / 2], ms[(int) (n * 0.99)]};
    }

    private static void select1(Statement st) {
        try (ResultSet rs = st.executeQuery("SELECT 1")) {
            rs.next();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void truncate(Connection c) throws Exception {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            st.execute("TRUNCATE pgqueuer, pgqueuer_log");
        }
        c.setAutoCommit(auto);
    }

    private static void printSetting(Connection c, String name) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW " + name)) {
            rs.next();
            System.out.println(name + " = " + rs.getString(1));
        }
    }


    private static void rawBatch(Connection c, PreparedStatement ps, List<NewJob> jobs) {
        try {
            int n = jobs.size();
            Integer[] prio = new Integer[n];
            String[] ep = new String[n];
            byte[][] payload = new byte[n][];
            String[] delay = new String[n];
            String[] dedupe = new String[n];
            String[] headers = new String[n];
            for (int i = 0; i < n; i++) {
                NewJob j = jobs.get(i);
                prio[i] = j.priority();
                ep[i] = j.entrypoint();
                payload[i] = j.payload().orElse(null);
                delay[i] = "0";
                headers[i] = "null";
            }
            ps.setArray(1, c.createArrayOf("int4", prio));
            ps.setArray(2, c.createArrayOf("text", ep));
            ps.setArray(3, c.createArrayOf("bytea", payload));
            ps.setArray(4, c.createArrayOf("text", delay));
            ps.setArray(5, c.createArrayOf("text", dedupe));
            ps.setArray(6, c.createArrayOf("text", headers));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rs.getLong(2);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
