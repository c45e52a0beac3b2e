package org.pgqj.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.worker.Worker;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Poll-only mode through a real PgBouncer in {@code pool_mode = transaction}: producers and workers share
 * a pool of 3 server connections, no LISTEN (it would not survive transaction pooling), no session
 * settings, no named prepared statements. Six clients (two workers with two connections each, two
 * producers) share the three server connections; every job runs once and nothing stays picked.
 */
class PgBouncerPollOnlyFaultTest {

    @Test
    void workersAndProducersThroughTransactionPooling() throws Exception {
        assumeServerAndBouncer();
        try (PgCluster cluster = PgCluster.primary("bouncer", FaultPorts.free())) {
            PgqueuerSchema.forDataSource(cluster.dataSource()).migrate();
            try (PgBouncer bouncer = PgBouncer.start(cluster, FaultPorts.free(), "transaction", 3)) {
                PGSimpleDataSource pooled = new PGSimpleDataSource();
                pooled.setURL(bouncer.jdbcUrl());
                try (FaultLoad load = new FaultLoad(() -> pooled)) {
                    var options = FaultLoad.options().listen(false).pollInterval(Duration.ofMillis(200));
                    Worker a = load.startWorker(pooled, options.build());
                    Worker b = load.startWorker(pooled, options.build());
                    load.startProducers(2, 20, 40);
                    Thread.sleep(6_000);
                    FaultLoad.Drained drained = load.drain(cluster.dataSource(), Duration.ofSeconds(30));
                    boolean empty = drained.empty();
                    long stuck = drained.stuck();
                    FaultLoad.report("pgbouncer-transaction-poll-only", load.acknowledged.size(), load.lost(), load.twice(),
                            stuck, Double.NaN);
                    assertFalse(a.isListening() || b.isListening(), "poll-only: no LISTEN connection");
                    assertTrue(empty, "the queue drains through PgBouncer");
                    assertEquals(0, load.lost());
                    assertEquals(0, load.twice());
                    assertEquals(0, stuck);
                    assertTrue(load.acknowledged.size() > 500, "producers enqueued through PgBouncer: " + load.acknowledged.size());
                    assertEquals(0, load.failedBatches.get(), "no enqueue failed through PgBouncer");
                }
            }
        }
    }

    /**
     * The workers' URL lacks {@code prepareThreshold=0}: pgjdbc would name their statements on the server after
     * five runs, and through transaction pooling the next run of a name lands on a server connection that does
     * not know it, or knows another client's statement of that name. Poll-only workers keep their statements
     * unnamed themselves: no claim or write fails.
     */
    @Test
    void pollOnlyWorkersNameNoStatementEvenWhenTheirUrlAllowsIt() throws Exception {
        assumeServerAndBouncer();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream err = System.err;
        try (PgCluster cluster = PgCluster.primary("bouncer-named", FaultPorts.free())) {
            PgqueuerSchema.forDataSource(cluster.dataSource()).migrate();
            // one server connection for all: the two workers' statements meet on it
            try (PgBouncer bouncer = PgBouncer.start(cluster, FaultPorts.free(), "transaction", 1)) {
                PGSimpleDataSource producers = new PGSimpleDataSource();
                producers.setURL(bouncer.jdbcUrl());
                PGSimpleDataSource workers = new PGSimpleDataSource();
                workers.setURL(bouncer.jdbcUrl().replace("&prepareThreshold=0", ""));
                // the workers' log (slf4j-simple writes to System.err) is read by the test and shown afterwards
                System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
                try (FaultLoad load = new FaultLoad(() -> producers)) {
                    var options = FaultLoad.options().listen(false).pollInterval(Duration.ofMillis(200));
                    load.startWorker(workers, options.build());
                    load.startWorker(workers, options.build());
                    load.startProducers(2, 20, 40);
                    Thread.sleep(6_000);
                    FaultLoad.Drained drained = load.drain(cluster.dataSource(), Duration.ofSeconds(30));
                    FaultLoad.report("pgbouncer-transaction-url-allows-named", load.acknowledged.size(), load.lost(),
                            load.twice(), drained.stuck(), Double.NaN);
                    assertTrue(drained.empty(), "the queue drains through PgBouncer");
                    assertEquals(0, load.lost());
                    assertEquals(0, load.twice());
                    assertEquals(0, drained.stuck());
                    assertTrue(load.acknowledged.size() > 500, "producers enqueued: " + load.acknowledged.size());
                }
            }
        } finally {
            System.setErr(err);
            err.print(log.toString(StandardCharsets.UTF_8));
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("Claim failed") || text.contains("could not write"), "no claim or write failed");
        assertFalse(text.contains("prepared statement"), "no statement name reached the wrong server connection");
    }

    private static void assumeServerAndBouncer() {
        Assumptions.assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries not in " + PgCluster.BIN
                + " (apt-get install postgresql-15): fault suite skipped");
        Assumptions.assumeTrue(PgBouncer.available(), "PgBouncer not at " + PgBouncer.BINARY
                + " (apt-get install pgbouncer): PgBouncer scenario skipped");
    }
}
