package org.pgqj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.Await;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** The pgqj jar, run as a process against real PostgreSQL. */
@Tag("slow") // among the slowest classes of the suite (see .ci/run's per-class times)
@ExtendWith(PostgresExtension.class)
class PgqjCliIT {

    private static final Map<String, String> OWN = Map.of("PGQUEUER_SCHEMA", "lifecycle");

    @Test
    void schemaLifecycleAndQueueCommands(TestDatabase db) throws Exception {
        // a schema of its own: the other tests of this class share the database
        var missing = CliProcess.run(db, OWN, "queue", "hello", "world");
        assertEquals(1, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("run `pgqj install` first"), missing.toString());

        var verifyAbsent = CliProcess.run(db, OWN, "verify", "--expect", "present");
        assertEquals(1, verifyAbsent.exitCode(), verifyAbsent.toString());

        var install = CliProcess.run(db, OWN, "install", "--durability", "balanced");
        assertEquals(0, install.exitCode(), install.toString());
        assertTrue(install.out().contains("installed in schema 'lifecycle'") && install.out().contains("balanced"), install.toString());
        assertEquals(0, CliProcess.run(db, OWN, "verify", "--expect", "present").exitCode());
        assertEquals(1, CliProcess.run(db, OWN, "verify", "--expect", "absent").exitCode());
        var upgrade = CliProcess.run(db, OWN, "upgrade");
        assertTrue(upgrade.out().contains("already up to date"), upgrade.toString());

        var queued = CliProcess.run(db, OWN, "queue", "send_mail", "{\"to\": 1}", "--dedupe-key", "mail-1", "--priority", "5");
        assertEquals(0, queued.exitCode(), queued.toString());
        long id = Long.parseLong(queued.out().strip());
        var duplicate = CliProcess.run(db, OWN, "queue", "send_mail", "x", "--dedupe-key", "mail-1");
        assertEquals(1, duplicate.exitCode(), duplicate.toString());
        assertTrue(duplicate.err().contains("mail-1"), duplicate.toString());
        var skipped = CliProcess.run(db, OWN, "queue", "send_mail", "x", "--dedupe-key", "mail-1", "--on-conflict", "skip");
        assertEquals(0, skipped.exitCode(), skipped.toString());
        assertTrue(skipped.out().contains("skipped"), skipped.toString());

        var dashboard = CliProcess.run(db, OWN, "dashboard");
        assertEquals(0, dashboard.exitCode(), dashboard.toString());
        assertTrue(dashboard.out().matches("(?s).*send_mail\\s+\\|\\s+queued\\s+\\|\\s+5\\s+\\|\\s+1.*"), dashboard.toString());

        var failed = CliProcess.run(db, OWN, "failed");
        assertEquals(0, failed.exitCode(), failed.toString());
        assertFalse(failed.out().contains("send_mail"), failed.toString());

        var cancel = CliProcess.run(db, OWN, "cancel", Long.toString(id));
        assertEquals(0, cancel.exitCode(), cancel.toString());
        assertTrue(cancel.out().contains("canceled 1 job(s): [" + id + "]"), cancel.toString());
        var requeue = CliProcess.run(db, OWN, "requeue", Long.toString(id));
        assertEquals(1, requeue.exitCode(), "a canceled job is not held, so nothing is requeued: " + requeue);

        var schedules = CliProcess.run(db, OWN, "schedules");
        assertEquals(0, schedules.exitCode(), schedules.toString());
        assertTrue(schedules.out().startsWith("id | expression | entrypoint"), schedules.toString());

        var uninstall = CliProcess.run(db, OWN, "uninstall");
        assertEquals(0, uninstall.exitCode(), uninstall.toString());
        assertEquals(0, CliProcess.run(db, OWN, "verify", "--expect", "absent").exitCode());
    }

    @Test
    void prefixAndSchemaFromTheEnvironment(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_PREFIX", "acme_", "PGQUEUER_SCHEMA", "jobs");
        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        var queued = CliProcess.run(db, env, "queue", "ping");
        assertEquals(0, queued.exitCode(), queued.toString());
        var plain = CliProcess.run(db, "verify", "--expect", "absent");
        assertEquals(0, plain.exitCode(), "nothing in public: " + plain);
        var flags = CliProcess.run(db, "--prefix", "acme_", "--schema", "jobs", "dashboard");
        assertTrue(flags.out().contains("ping"), flags.toString());
    }

    @Test
    void listenPrintsNotifyEvents(TestDatabase db) throws Exception {
        assertEquals(0, CliProcess.run(db, "install").exitCode());
        Process listener = CliProcess.builder(db, Map.of(), null, "listen", "--max-events", "1").start();
        var out = CliProcess.drain(listener.getInputStream());
        var err = CliProcess.drain(listener.getErrorStream());
        Await.until("'listening on ch_pgqueuer' on stderr", Duration.ofSeconds(30), () -> err.text().contains("listening on ch_pgqueuer"));
        assertEquals(0, CliProcess.run(db, "queue", "ping").exitCode());
        assertTrue(listener.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "listen exits after one event");
        out.join();
        assertEquals(0, listener.exitValue());
        assertTrue(out.text().contains("\"type\" : \"table_changed_event\"") || out.text().contains("\"type\": \"table_changed_event\"")
                || out.text().contains("\"type\":\"table_changed_event\""), out.text());
        assertTrue(out.text().contains("\"operation\""), out.text());
    }

    @Test
    void errorsAreOneClearLine(TestDatabase db) throws Exception {
        var unreachable = CliProcess.run(null, Map.of("DATABASE_URL", "postgresql://bob:hunter2@127.0.0.1:1/nowhere"),
                "verify", "--expect", "present");
        assertEquals(1, unreachable.exitCode(), unreachable.toString());
        assertTrue(unreachable.err().contains("Cannot connect to PostgreSQL at 127.0.0.1:1/nowhere"), unreachable.toString());
        assertFalse(unreachable.err().contains("hunter2") || unreachable.out().contains("hunter2"), unreachable.toString());
        assertEquals(1, unreachable.err().strip().lines().count(), unreachable.toString());

        var badUrl = CliProcess.run(null, Map.of("DATABASE_URL", "mysql://root:pw@db/x"), "verify", "--expect", "present");
        assertEquals(1, badUrl.exitCode(), badUrl.toString());
        assertTrue(badUrl.err().contains("Accepted forms"), badUrl.toString());
        assertFalse(badUrl.err().contains("pw@"), badUrl.toString());

        var noUrl = CliProcess.run(null, Map.of(), "verify", "--expect", "present");
        assertEquals(1, noUrl.exitCode(), noUrl.toString());
        assertTrue(noUrl.err().contains("--pg-dsn"), noUrl.toString());

        var badPrefix = CliProcess.run(db, "--prefix", "Bad-Prefix", "install");
        assertEquals(1, badPrefix.exitCode(), badPrefix.toString());
        assertTrue(badPrefix.err().contains("'Bad-Prefix'"), badPrefix.toString());
    }
}
