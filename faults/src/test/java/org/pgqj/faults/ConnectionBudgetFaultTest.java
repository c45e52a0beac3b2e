package org.pgqj.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerException;

/**
 * Too few connections ({@code max_connections = 10}, none reserved): a worker that cannot open all it
 * needs fails at start naming {@code max_connections}, or waits for them by option; a worker that loses
 * its write connection while the server is full stops claiming (instead of running jobs nobody can
 * record), says why at ERROR, and finishes everything once a connection is free: nothing lost, nothing twice.
 */
class ConnectionBudgetFaultTest {

    private static final int MAX_CONNECTIONS = 10;
    private static PgCluster cluster;
    private final List<Connection> hogs = new ArrayList<>();

    @BeforeAll
    static void cluster() throws Exception {
        Assumptions.assumeTrue(PgCluster.available(), "PostgreSQL 15 server binaries not in " + PgCluster.BIN
                + " (apt-get install postgresql-15): fault suite skipped");
        cluster = PgCluster.primary("budget", FaultPorts.free(), "max_connections = " + MAX_CONNECTIONS,
                "superuser_reserved_connections = 0");
        PgqueuerSchema.forDataSource(cluster.dataSource()).migrate();
    }

    @AfterAll
    static void drop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void release() {
        releaseHogs(hogs.size());
    }

    /** Opens connections until only {@code free} slots are left. */
    private void leaveFree(int free) throws Exception {
        Connection probe = hogs.isEmpty() ? hog() : hogs.getFirst();
        long used = clientBackends(probe);
        for (long i = used; i < MAX_CONNECTIONS - free; i++) {
            hog();
        }
    }

    private Connection hog() throws SQLException {
        Connection c = cluster.connect();
        hogs.add(c);
        return c;
    }

    private void releaseHogs(int n) {
        for (int i = 0; i < n && !hogs.isEmpty(); i++) {
            try {
                hogs.removeLast().close();
            } catch (SQLException ignored) {
                // gone anyway
            }
        }
    }

    private static long clientBackends(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from pg_stat_activity where backend_type = 'client backend'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void enqueue(Connection c, int n) {
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            jobs.add(NewJob.of(FaultLoad.ENTRYPOINT, new byte[0]));
        }
        JobQueue.create(QueueTables.defaults()).enqueueAll(DSL.using(c, SQLDialect.POSTGRES), jobs);
    }

    @Test
    void startFailsAtOnceNamingMaxConnectionsAndKeepsNothingOpen() throws Exception {
        leaveFree(2); // a worker needs 3
        long before = clientBackends(hogs.getFirst());
        try (FaultLoad load = new FaultLoad(cluster::dataSource)) {
            WorkerException e = assertThrows(WorkerException.class,
                    () -> load.startWorker(cluster.dataSource(), FaultLoad.options().build()));
            assertTrue(e.getMessage().contains("max_connections"), e.getMessage());
            assertTrue(e.getMessage().contains("startupWait"), e.getMessage());
        }
        Thread.sleep(300); // the backends of closed connections go away asynchronously
        assertEquals(before, clientBackends(hogs.getFirst()), "the failed worker closed what it had opened");
        FaultLoad.say("start with 2 free of " + MAX_CONNECTIONS + " refused as expected");
    }

    @Test
    void startWaitsForConnectionsByOptionAndThenRuns() throws Exception {
        enqueue(hog(), 500);
        leaveFree(1);
        try (FaultLoad load = new FaultLoad(cluster::dataSource)) {
            CompletableFuture<Worker> starting = CompletableFuture.supplyAsync(() -> load.startWorker(cluster.dataSource(),
                    FaultLoad.options().startupWait(Duration.ofSeconds(30)).build()));
            Thread.sleep(1_500);
            assertTrue(!starting.isDone(), "start waits while connections are missing");
            assertEquals(0, load.runs.size(), "nothing runs before the worker has all its connections");
            long freedAt = System.nanoTime();
            releaseHogs(hogs.size() - 1); // keep one: it carries the counting queries
            starting.get(30, TimeUnit.SECONDS);
            assertTrue(FaultLoad.awaitEmpty(cluster.dataSource(), Duration.ofSeconds(30)));
            double resume = (System.nanoTime() - freedAt) / 1e9;
            FaultLoad.report("start-with-max_connections-full", 500, 500 - load.runs.size(), load.twice(),
                    FaultLoad.count(cluster.dataSource(), "select count(*) from pgqueuer where status = 'picked'"), resume);
            assertEquals(500, load.runs.size());
            assertEquals(0, load.twice());
        }
    }

    @Test
    void lostWriteConnectionOnAFullServerStopsClaimingAndRecovers() throws Exception {
        int total = 8_000;
        enqueue(hog(), total);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream err = System.err;
        // the worker's log (slf4j-simple writes to System.err) is read by the test and shown afterwards
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try (FaultLoad load = new FaultLoad(cluster::dataSource)) {
            NamedConnections ds = new NamedConnections(cluster.jdbcUrl(), "budget");
            load.startWorker(ds, FaultLoad.options().maxConcurrentJobs(5).build());
            load.awaitRuns(300, Duration.ofSeconds(20));
            // start() verified the schema on budget-1 (closed since), then opened claims on budget-2, writes on budget-3
            assertEquals(3, ds.opened(), "the worker opened its claim and write connections once");
            // take every free slot, then the write connection's and its slot at once
            leaveFree(0);
            Connection killer = hogs.getFirst();
            try (Statement st = killer.createStatement()) {
                st.execute("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'budget-3'");
            }
            for (int i = 0; i < 50; i++) {
                try {
                    hog();
                    break;
                } catch (SQLException notYet) {
                    Thread.sleep(10); // the terminated backend's slot frees a moment later
                }
            }
            FaultLoad.say("write connection terminated, server full; " + load.runs.size() + " jobs run so far");
            Thread.sleep(2_000);
            int runsAfter2s = load.runs.size();
            Thread.sleep(2_000);
            int runsAfter4s = load.runs.size();
            assertEquals(3, ds.opened(), "the worker never got its write connection back while the server was full");
            assertEquals(runsAfter2s, runsAfter4s, "no claims while outcomes cannot be written");
            assertTrue(runsAfter4s < total, "claiming stopped before the queue was done: " + runsAfter4s);
            String text = log.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("ERROR") && text.contains("max_connections"), "an ERROR names max_connections");
            releaseHogs(hogs.size() - 1);
            load.markBack();
            assertTrue(FaultLoad.awaitEmpty(cluster.dataSource(), Duration.ofSeconds(40)), "drains once connections are free");
            long stuck = FaultLoad.count(cluster.dataSource(), "select count(*) from pgqueuer where status = 'picked'");
            FaultLoad.report("write-connection-lost-on-full-server", total, total - load.runs.size(), load.twice(),
                    stuck, load.resumeSeconds());
            assertEquals(total, load.runs.size(), "every job ran");
            assertEquals(0, load.twice(), "no job ran twice");
            assertEquals(0, stuck);
        } finally {
            System.setErr(err);
            err.print(log.toString(StandardCharsets.UTF_8));
        }
    }
}
