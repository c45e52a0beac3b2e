package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.Await;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** A worker killed mid-job (another JVM, SIGKILL) loses nothing; a prefixed install in its own schema works. */
@ExtendWith(PostgresExtension.class)
class WorkerRescueTest {

    @Test
    void retryTimerRescuesJobsOfAWorkerKilledWithSigkill(TestDatabase db) throws Exception {
        PgqueuerSchema.forDataSource(db.dataSource()).migrate();
        TestJobs jobs = new TestJobs(db.dataSource(), QueueTables.defaults());
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(jobs.enqueue("rescue_me", new byte[0]));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                KilledWorkerMain.class.getName(), db.jdbcUrl(), db.user(), db.password())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Set<Long> startedInChild = ConcurrentHashMap.newKeySet();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (startedInChild.size() < ids.size() && System.nanoTime() < deadline) {
                String line = out.readLine();
                if (line == null) {
                    break;
                }
                if (line.startsWith("STARTED ")) {
                    startedInChild.add(Long.parseLong(line.substring(8).trim()));
                }
            }
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no completion, no goodbye
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        }
        assertEquals(Set.copyOf(ids), startedInChild, "the child should have been running every job");
        assertEquals(ids.size(), jobs.dsl().fetchCount(PGQUEUER, PGQUEUER.STATUS.eq(PgqueuerStatus.picked)));

        Set<Long> rescued = ConcurrentHashMap.newKeySet();
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("rescue_me", EntrypointOptions.builder().retryTimer(Duration.ofSeconds(1)).build(),
                        (job, ctx) -> rescued.add(job.id()))
                .options(WorkerOptions.builder().dequeueTimeout(Duration.ofMillis(500)).build()).build().start()) {
            Await.until("all jobs rescued", Duration.ofSeconds(30), () -> jobs.queueCount() == 0);
        }
        assertEquals(Set.copyOf(ids), rescued);
        for (long id : ids) {
            List<PgqueuerStatus> statuses = jobs.logStatuses(id);
            assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.picked, PgqueuerStatus.successful),
                    statuses, "job " + id);
        }
    }

    @Test
    void prefixedInstallInOwnSchemaRunsJobsAndAggregatesStatistics(TestDatabase db) throws Exception {
        PgqueuerSchema.forDataSource(db.dataSource()).prefix("acme_").schema("jobs").migrate();
        QueueTables tables = QueueTables.of(new PgqueuerNames("acme_", "jobs"));
        TestJobs jobs = new TestJobs(db.dataSource(), tables);
        List<Long> ran = Collections.synchronizedList(new ArrayList<>());
        long ok = jobs.enqueue("acme_job", new byte[0]);
        long bad = jobs.enqueue("acme_job", "boom".getBytes(StandardCharsets.UTF_8));
        try (Worker w = Worker.builder(db.dataSource(), tables)
                .entrypoint("acme_job", EntrypointOptions.builder().concurrencyLimit(1).build(), (job, ctx) -> {
                    ran.add(job.id());
                    if (job.payload().length > 0) {
                        throw new IllegalStateException("boom");
                    }
                })
                .options(WorkerOptions.builder().dequeueTimeout(Duration.ofSeconds(1))
                        .statisticsInterval(Duration.ofMillis(200)).build()).build().start()) {
            Await.until("both done", Duration.ofSeconds(10), () -> jobs.queueCount() == 0);
            Await.until("statistics aggregated", Duration.ofSeconds(10),
                    () -> jobs.dsl().fetchCount(PGQUEUER_LOG, PGQUEUER_LOG.AGGREGATED.isFalse()) == 0);
        }
        assertEquals(List.of(ok, bad), ran);
        assertEquals(PgqueuerStatus.successful, jobs.logStatuses(ok).getLast());
        assertEquals(PgqueuerStatus.exception, jobs.logStatuses(bad).getLast());
        var stats = jobs.dsl().select(org.pgqj.codegen.Tables.PGQUEUER_STATISTICS.STATUS,
                        org.jooq.impl.DSL.sum(org.pgqj.codegen.Tables.PGQUEUER_STATISTICS.COUNT))
                .from(org.pgqj.codegen.Tables.PGQUEUER_STATISTICS)
                .groupBy(org.pgqj.codegen.Tables.PGQUEUER_STATISTICS.STATUS).fetchMap(
                        org.pgqj.codegen.Tables.PGQUEUER_STATISTICS.STATUS,
                        org.jooq.impl.DSL.sum(org.pgqj.codegen.Tables.PGQUEUER_STATISTICS.COUNT));
        assertEquals(2, stats.get(PgqueuerStatus.queued).intValue(), stats.toString());
        assertEquals(2, stats.get(PgqueuerStatus.picked).intValue(), stats.toString());
        assertEquals(1, stats.get(PgqueuerStatus.successful).intValue(), stats.toString());
        assertEquals(1, stats.get(PgqueuerStatus.exception).intValue(), stats.toString());
    }
}
