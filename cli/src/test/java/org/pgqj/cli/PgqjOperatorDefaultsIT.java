package org.pgqj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.enqueue.OnConflict;
import org.pgqj.notify.CancellationEvent;
import org.pgqj.notify.NotifyEvents;
import org.pgqj.testing.Await;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** The packaged jar's defaults an operator meets: cancels of any size, help and version, the web exposure WARN. */
@ExtendWith(PostgresExtension.class)
class PgqjOperatorDefaultsIT {

    @Test
    void cancelOfTenThousandIdsExitsZeroAndAnnouncesEachOne(TestDatabase db) throws Exception {
        assertEquals(0, CliProcess.run(db, "install").exitCode());
        DSLContext dsl = QueueTables.defaults().dsl(db.dataSource());
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            jobs.add(NewJob.of("bulk", new byte[0]));
        }
        List<Long> ids = JobQueue.create(QueueTables.defaults()).enqueue(dsl, jobs, OnConflict.RAISE).writtenIds();
        try (Connection listener = db.connect()) {
            try (Statement st = listener.createStatement()) {
                st.execute("LISTEN ch_pgqueuer"); // jOOQ has no LISTEN statement
            }
            List<String> args = new ArrayList<>(List.of("cancel"));
            ids.forEach(id -> args.add(Long.toString(id)));

            var cancel = CliProcess.run(db, args.toArray(String[]::new));

            assertEquals(0, cancel.exitCode(), cancel.err());
            assertTrue(cancel.out().startsWith("canceled 10000 job(s): [" + ids.getFirst() + ", "), cancel.err());
            assertFalse(cancel.err().contains("ERROR"), cancel.err());
            Set<Long> announced = new HashSet<>();
            PGConnection pg = listener.unwrap(PGConnection.class);
            Await.until("every id announced", Duration.ofSeconds(20), () -> {
                try {
                    PGNotification[] batch = pg.getNotifications(200);
                    for (PGNotification n : batch == null ? new PGNotification[0] : batch) {
                        if (NotifyEvents.parse(n.getParameter()).orElseThrow() instanceof CancellationEvent c) {
                            announced.addAll(c.ids());
                        }
                    }
                } catch (SQLException e) {
                    throw new AssertionError(e);
                }
                return announced.size() == ids.size();
            });
            assertEquals(Set.copyOf(ids), announced);
        }
        assertEquals(0, dsl.fetchCount(PGQUEUER));
        assertEquals(10_000, dsl.fetchCount(PGQUEUER_LOG, PGQUEUER_LOG.STATUS.eq(PgqueuerStatus.canceled)));
    }

    @Test
    void helpAndVersionNeedNoDatabase() throws Exception {
        var version = CliProcess.run(null, "--version");
        assertEquals(0, version.exitCode(), version.toString());
        String jar = CliProcess.jar().getFileName().toString(); // pgqj-cli-VERSION-all.jar
        assertEquals("pgqj " + jar.substring("pgqj-cli-".length(), jar.length() - "-all.jar".length()), version.out().strip());
        assertEquals(version.out(), CliProcess.run(null, "web", "--version").out(), "the same on a subcommand");
        for (String[] args : new String[][] {{"web", "-h"}, {"web", "--help"}, {"help", "web"}, {"run", "--help"}}) {
            var help = CliProcess.run(null, args);
            assertEquals(0, help.exitCode(), help.toString());
            assertTrue(help.out().contains("Usage: pgqj " + args[args[0].equals("help") ? 1 : 0] + " ["), help.toString());
            assertEquals("", help.err(), help.toString());
        }
    }

    @Test
    void webOnAnAddressOthersReachWarnsWhenActionsAreOpen(TestDatabase db) throws Exception {
        assertEquals(0, CliProcess.run(db, "install").exitCode());
        String open = webStartup(db, Map.of(), "--bind", "0.0.0.0");
        assertTrue(open.contains("WARN") && open.contains("is bound to 0.0.0.0, reachable from other machines, with "
                + "actions on and no authentication: anyone who reaches it can cancel and requeue jobs"), open);
        assertFalse(webStartup(db, Map.of(), "--bind", "0.0.0.0", "--read-only").contains("WARN"));
        assertFalse(webStartup(db, Map.of("PGQUEUER_WEB_USER", "ops", "PGQUEUER_WEB_PASSWORD", "pw"), "--bind", "0.0.0.0")
                .contains("WARN"));
        assertFalse(webStartup(db, Map.of()).contains("WARN"), "the default 127.0.0.1 is this machine only");
    }

    /** What {@code pgqj web ARGS} printed on stderr up to its "serving" line; then SIGTERM. */
    private static String webStartup(TestDatabase db, Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("web", "--port", "0"));
        all.addAll(List.of(args));
        Process web = CliProcess.builder(db, env, null, all.toArray(String[]::new)).start();
        var out = CliProcess.drain(web.getInputStream());
        var err = CliProcess.drain(web.getErrorStream());
        try {
            Await.until("pgqj web serving", Duration.ofSeconds(60), () -> err.text().contains("serving http://"));
            return err.text();
        } finally {
            new ProcessBuilder("kill", "-TERM", Long.toString(web.pid())).start().waitFor();
            assertTrue(web.waitFor(30, TimeUnit.SECONDS), "pgqj web exits after SIGTERM");
            out.join();
            err.join();
        }
    }
}
