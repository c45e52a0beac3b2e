package org.pgqj.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.worker.Worker;

/**
 * The database restarts under load: a fast restart (clients disconnected, clean shutdown) and a crash
 * ({@code -m immediate}, recovery from WAL). Two workers and two producers go on; nothing acknowledged
 * is lost, nothing runs twice, nothing stays picked. The crash also loses replies of statements that
 * committed (a claim among them): those jobs must come back after the heartbeat timeout, not stay picked.
 */
class RestartFaultTest {

    private static PgCluster cluster;

    @BeforeAll
    static void cluster() throws Exception {
        Assumptions.assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries not in " + PgCluster.BIN
                + " (apt-get install postgresql-15): fault suite skipped");
        cluster = PgCluster.primary("restart", FaultPorts.free());
        PgqueuerSchema.forDataSource(cluster.dataSource()).migrate();
    }

    @AfterAll
    static void drop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void fastRestartUnderLoad() throws Exception {
        scenario("restart-fast", false);
    }

    @Test
    void crashRestartUnderLoad() throws Exception {
        scenario("restart-immediate", true);
    }

    private void scenario(String name, boolean crash) throws Exception {
        try (FaultLoad load = new FaultLoad(cluster::dataSource)) {
            Worker a = load.startWorker(cluster.dataSource(), FaultLoad.options().build());
            Worker b = load.startWorker(cluster.dataSource(), FaultLoad.options().build());
            load.startProducers(2, 20, 20);
            load.awaitRuns(2_000, Duration.ofSeconds(20));
            FaultLoad.say(name + ": " + load.runs.size() + " jobs run, now the fault");
            if (crash) {
                cluster.crash();
                Thread.sleep(500);
                cluster.start();
            } else {
                cluster.restartFast();
            }
            load.markBack();
            FaultLoad.say(name + ": database back");
            Thread.sleep(4_000);
            FaultLoad.Drained drained = load.drain(cluster.dataSource(), Duration.ofSeconds(40));
            boolean empty = drained.empty();
            long stuck = drained.stuck();
            FaultLoad.report(name, load.acknowledged.size(), load.lost(), load.twice(), stuck, load.resumeSeconds());
            assertTrue(a.isListening() && b.isListening(), "both workers LISTEN again after the restart");
            assertTrue(empty, "the queue should drain after the restart; " + stuck + " rows still picked");
            assertEquals(0, load.lost(), "acknowledged jobs never run");
            assertEquals(0, load.twice(), "jobs run twice");
            assertEquals(0, stuck);
            assertTrue(load.acknowledged.size() > 1_000, "the producers should have kept going: " + load.acknowledged.size());
            assertTrue(load.resumeSeconds() >= 0 && load.resumeSeconds() < 10, "resume " + load.resumeSeconds() + " s");
        }
    }
}
