package org.pgqj.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schema.PgqueuerSchema;

/**
 * Worker JVMs killed with SIGKILL, three times in a row, beside a worker that survives. Every job runs;
 * the only jobs that run twice are those the killed worker had started (or finished without writing
 * the outcome) when it died, and they run again once their heartbeat is stale.
 */
class WorkerKillFaultTest {

    private static final int KILLS = 3;

    @Test
    void killedWorkersLoseNothing() throws Exception {
        Assumptions.assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries not in " + PgCluster.BIN
                + " (apt-get install postgresql-15): fault suite skipped");
        try (PgCluster cluster = PgCluster.primary("kill", FaultPorts.free())) {
            PgqueuerSchema.forDataSource(cluster.dataSource()).migrate();
            Map<Long, AtomicInteger> childRuns = new ConcurrentHashMap<>();
            Set<Long> startedInKilled = ConcurrentHashMap.newKeySet();
            double worstRescue = 0;
            try (FaultLoad load = new FaultLoad(cluster::dataSource)) {
                // producers at 200 jobs/s, which the survivor alone keeps up with; a child takes its share while it lives
                load.startProducers(2, 10, 100);
                load.startWorker(cluster.dataSource(), FaultLoad.options().heartbeatTimeout(Duration.ofSeconds(3)).build());
                for (int k = 0; k < KILLS; k++) {
                    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                    Process child = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp",
                            System.getProperty("java.class.path"), ChildWorkerMain.class.getName(), cluster.jdbcUrl())
                            .redirectError(Path.of("target", "child-worker-" + k + ".log").toFile()).start();
                    Set<Long> mine = ConcurrentHashMap.newKeySet();
                    String[] workerId = new String[1];
                    CountDownLatch enough = new CountDownLatch(100);
                    Thread reader = Thread.ofPlatform().start(() -> {
                        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                            String line;
                            while ((line = out.readLine()) != null) {
                                if (line.startsWith("WORKER ")) {
                                    workerId[0] = line.substring(7).trim();
                                } else if (line.startsWith("RUN ")) {
                                    long id = Long.parseLong(line.substring(4).trim());
                                    mine.add(id);
                                    childRuns.computeIfAbsent(id, x -> new AtomicInteger()).incrementAndGet();
                                    enough.countDown();
                                }
                            }
                        } catch (Exception ignored) {
                            // the process was killed
                        }
                    });
                    boolean ran;
                    try {
                        ran = enough.await(90, TimeUnit.SECONDS);
                    } finally {
                        child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no goodbye
                    }
                    assertTrue(ran, "child worker " + k + " ran jobs (its log: target/child-worker-" + k + ".log)");
                    assertTrue(child.waitFor(10, TimeUnit.SECONDS));
                    long killedAt = System.nanoTime();
                    reader.join(5_000);
                    startedInKilled.addAll(mine);
                    FaultLoad.say("killed child worker " + workerId[0] + " after " + mine.size() + " jobs");
                    // its picked rows must come back: heartbeat timeout 3 s plus a claim
                    String sql = "select count(*) from pgqueuer where status = 'picked' and queue_manager_id = '" + workerId[0] + "'";
                    while (FaultLoad.count(cluster.dataSource(), sql) > 0 && System.nanoTime() - killedAt < 30e9) {
                        Thread.sleep(100);
                    }
                    worstRescue = Math.max(worstRescue, (System.nanoTime() - killedAt) / 1e9);
                }
                load.stopProducers();
                assertTrue(FaultLoad.awaitEmpty(cluster.dataSource(), Duration.ofSeconds(60)), "the queue drains");
                long stuck = FaultLoad.count(cluster.dataSource(), "select count(*) from pgqueuer where status = 'picked'");
                Set<Long> ids = load.acknowledged;
                long total = ids.size();
                long lost = ids.stream().filter(id -> !load.runs.containsKey(id) && !childRuns.containsKey(id)).count();
                long rerunAfterKill = 0;
                long twiceOtherwise = 0;
                for (long id : ids) {
                    int n = load.runs.getOrDefault(id, new AtomicInteger()).get() + childRuns.getOrDefault(id, new AtomicInteger()).get();
                    if (n > 1) {
                        if (startedInKilled.contains(id) && n == 2) {
                            rerunAfterKill++;
                        } else {
                            twiceOtherwise++;
                        }
                    }
                }
                FaultLoad.say("re-run because their worker died mid-job: " + rerunAfterKill);
                FaultLoad.report("worker-sigkill-x" + KILLS + " (re-run after kill: " + rerunAfterKill + ")", total, lost,
                        twiceOtherwise, stuck, worstRescue);
                assertEquals(0, lost);
                assertEquals(0, twiceOtherwise, "only jobs of a killed worker may run again, and once");
                assertEquals(0, stuck);
            }
        }
    }
}
