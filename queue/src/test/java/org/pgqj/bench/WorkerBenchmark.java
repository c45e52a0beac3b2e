package org.pgqj.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.val;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Worker throughput and latency against a real PostgreSQL (not a test; run it by hand):
 * <pre>
 *   java -cp queue/target/classes:queue/target/test-classes:$(cat /tmp/cp4.txt) org.pgqj.bench.WorkerBenchmark [drainJobs]
 * </pre>
 * Reads {@code PGQUEUER_TEST_JDBC_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}),
 * creates a scratch database, and prints: drain rate of pre-enqueued trivial jobs at batch 10 and 100,
 * and enqueue-to-handler-start latency p50/p99 over 1,000 jobs enqueued one at a time to an idle worker.
 */
public final class WorkerBenchmark {

    private WorkerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int drainJobs = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        String adminUrl = System.getenv().getOrDefault("PGQUEUER_TEST_JDBC_URL",
                "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
        String dbName = "pgqj_bench_" + Long.toHexString(System.nanoTime());
        try (Connection admin = DriverManager.getConnection(adminUrl); Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + dbName); // scratch database for the run (DDL, not queue SQL)
        }
        String url = adminUrl.replaceFirst("/[^/?]+(\\?|$)", "/" + dbName + "$1");
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        try {
            PgqueuerSchema.forDataSource(ds).migrate();
            DSLContext dsl = QueueTables.defaults().dsl(ds);
            for (int batch : new int[] {10, 100}) {
                drain(ds, dsl, drainJobs, batch);
            }
            latency(ds, 1_000);
        } finally {
            try (Connection admin = DriverManager.getConnection(adminUrl); Statement st = admin.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + dbName + " WITH (FORCE)");
            }
        }
    }

    private static void drain(PGSimpleDataSource ds, DSLContext dsl, int n, int batch) throws Exception {
        dsl.deleteFrom(PGQUEUER).execute();
        dsl.deleteFrom(PGQUEUER_LOG).execute();
        var series = DSL.generateSeries(1, n).as("g", "n");
        var inserted = name("inserted").fields("i_id", "i_entrypoint", "i_priority").as(dsl.insertInto(PGQUEUER,
                        PGQUEUER.PRIORITY, PGQUEUER.ENTRYPOINT, PGQUEUER.PAYLOAD, PGQUEUER.HEADERS, PGQUEUER.STATUS)
                .select(select(inline(0), val("bench"), val("{}".getBytes(UTF_8)), val(JSONB.valueOf("null")),
                        inline(PgqueuerStatus.queued, PGQUEUER.STATUS)).from(series))
                .returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY));
        dsl.with(inserted).insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT,
                        PGQUEUER_LOG.PRIORITY)
                .select(select(DSL.field(name("i_id"), Long.class), inline(PgqueuerStatus.queued, PGQUEUER_LOG.STATUS),
                        DSL.field(name("i_entrypoint"), String.class), DSL.field(name("i_priority"), Integer.class)).from(inserted))
                .execute();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("VACUUM ANALYZE pgqueuer"); // maintenance, not queue SQL
        }
        AtomicInteger done = new AtomicInteger();
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong();
        Worker w = Worker.builder(ds, QueueTables.defaults())
                .entrypoint("bench", EntrypointOptions.defaults(), (job, ctx) -> {
                    long now = System.nanoTime();
                    first.compareAndSet(0, now);
                    if (done.incrementAndGet() == n) {
                        last.set(now);
                    }
                })
                .options(WorkerOptions.builder().batchSize(batch).statisticsInterval(Duration.ZERO).build())
                .build();
        long start = System.nanoTime();
        w.start();
        while (done.get() < n) {
            Thread.sleep(5);
        }
        long handlersDone = System.nanoTime();
        while (dsl.fetchCount(PGQUEUER) > 0) {
            Thread.sleep(5);
        }
        long rowsGone = System.nanoTime();
        w.close();
        System.out.printf("drain batch %3d: %d jobs, handlers %.0f jobs/s, rows deleted %.0f jobs/s (from start())%n",
                batch, n, n / ((handlersDone - start) / 1e9), n / ((rowsGone - start) / 1e9));
    }

    private static void latency(PGSimpleDataSource ds, int n) throws Exception {
        SynchronousQueue<Long> started = new SynchronousQueue<>();
        long[] lat = new long[n];
        try (Worker w = Worker.builder(ds, QueueTables.defaults())
                .entrypoint("ping", EntrypointOptions.defaults(), (job, ctx) -> started.put(System.nanoTime()))
                .options(WorkerOptions.builder().statisticsInterval(Duration.ZERO).build())
                .build().start();
             Connection c = ds.getConnection()) {
            TimeUnit.MILLISECONDS.sleep(500); // let the listener connect and the worker go idle
            DSLContext dsl = QueueTables.defaults().dsl(DSL.using(c, SQLDialect.POSTGRES));
            var insert = dsl.insertInto(PGQUEUER, PGQUEUER.PRIORITY, PGQUEUER.ENTRYPOINT, PGQUEUER.PAYLOAD,
                            PGQUEUER.EXECUTE_AFTER, PGQUEUER.HEADERS, PGQUEUER.STATUS)
                    .values(val(0), val("ping"), val(new byte[0]), currentOffsetDateTime(), val(JSONB.valueOf("null")),
                            inline(PgqueuerStatus.queued, PGQUEUER.STATUS));
            for (int i = 0; i < n + 50; i++) {
                long t0 = System.nanoTime();
                insert.execute();
                Long t1 = started.poll(10, TimeUnit.SECONDS);
                if (t1 == null) {
                    throw new IllegalStateException("job " + i + " did not start within 10 s");
                }
                if (i >= 50) { // warm-up
                    lat[i - 50] = t1 - t0;
                }
                Thread.sleep(2); // let the worker go idle again
            }
        }
        Arrays.sort(lat);
        System.out.printf("latency enqueue->handler over %d jobs: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                n, lat[n / 2] / 1e6, lat[(int) (n * 0.99)] / 1e6, lat[n - 1] / 1e6);
    }
}
