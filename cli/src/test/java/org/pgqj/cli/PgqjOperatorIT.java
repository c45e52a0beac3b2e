package org.pgqj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** The operator commands of pgq, run as pgqj processes; every --json document parsed back with Jackson. */
@ExtendWith(PostgresExtension.class)
class PgqjOperatorIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WORKER = "00000000-0000-0000-0000-0000000000aa";

    private static JsonNode json(CliProcess.Result r) throws Exception {
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(1, r.out().strip().lines().count(), "one JSON document on one line: " + r);
        JsonNode doc = JSON.readTree(r.out());
        return doc;
    }

    private static List<String> fields(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void sql(TestDatabase db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Test
    void inspectionCommandsPrintTablesAndJson(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "inspect");
        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        assertEquals("No stale jobs.", CliProcess.run(db, env, "stale").out().strip());
        assertEquals("No workers are holding picked jobs.", CliProcess.run(db, env, "workers").out().strip());
        assertEquals("No queued jobs.", CliProcess.run(db, env, "backlog").out().strip());
        assertEquals(0, json(CliProcess.run(db, env, "stale", "--json")).size());

        long a = Long.parseLong(CliProcess.run(db, env, "queue", "mail", "{\"to\": 1}").out().strip());
        long b = Long.parseLong(CliProcess.run(db, env, "queue", "mail", "x", "--priority", "3").out().strip());
        long c = Long.parseLong(CliProcess.run(db, env, "queue", "sms").out().strip());
        sql(db, "UPDATE inspect.pgqueuer SET status = 'picked', queue_manager_id = '" + WORKER
                + "', heartbeat = now() - interval '10 minutes' WHERE id = " + a);
        sql(db, "UPDATE inspect.pgqueuer SET status = 'failed' WHERE id = " + c);
        sql(db, "INSERT INTO inspect.pgqueuer_statistics (count, priority, status, entrypoint) VALUES (4, 0, 'successful', 'mail')");
        sql(db, "INSERT INTO inspect.pgqueuer_log (job_id, status, priority, entrypoint, traceback) VALUES (" + c
                + ", 'exception', 0, 'sms', '{\"job_id\": " + c + ", \"exception_type\": \"ValueError\"}')");

        JsonNode stale = json(CliProcess.run(db, env, "stale", "--json", "--threshold", "300"));
        assertEquals(1, stale.size());
        assertEquals(List.of("id", "priority", "queue_manager_id", "created", "updated", "heartbeat", "execute_after",
                "status", "entrypoint", "seconds_since_heartbeat"), fields(stale.get(0)));
        assertEquals(a, stale.get(0).get("id").asLong());
        assertEquals(WORKER, stale.get(0).get("queue_manager_id").asText());
        assertTrue(stale.get(0).get("seconds_since_heartbeat").asDouble() >= 600);
        assertTrue(stale.get(0).get("heartbeat").asText().endsWith("Z"), stale.toString());
        assertEquals(0, json(CliProcess.run(db, env, "stale", "--json", "-t", "3600")).size());
        var staleTable = CliProcess.run(db, env, "stale");
        assertTrue(staleTable.out().startsWith("id | entrypoint | queue_manager_id"), staleTable.toString());

        JsonNode workers = json(CliProcess.run(db, env, "workers", "--json"));
        assertEquals(List.of("queue_manager_id", "active_jobs", "oldest_heartbeat", "newest_heartbeat", "entrypoints"),
                fields(workers.get(0)));
        assertEquals(1, workers.get(0).get("active_jobs").asInt());
        assertEquals("mail", workers.get(0).get("entrypoints").get(0).asText());

        JsonNode backlog = json(CliProcess.run(db, env, "backlog", "--json"));
        assertEquals(List.of("entrypoint", "queued_count", "oldest_created", "oldest_age_seconds", "avg_age_seconds"),
                fields(backlog.get(0)));
        assertEquals("mail", backlog.get(0).get("entrypoint").asText());
        assertEquals(1, backlog.get(0).get("queued_count").asInt());

        JsonNode failed = json(CliProcess.run(db, env, "failed", "--json"));
        assertEquals(List.of("id", "priority", "created", "updated", "heartbeat", "execute_after", "status", "entrypoint",
                "attempts", "queue_manager_id", "slot", "headers", "payload_bytes"), fields(failed.get(0)));
        assertEquals(c, failed.get(0).get("id").asLong());
        assertEquals("failed", failed.get(0).get("status").asText());

        JsonNode size = json(CliProcess.run(db, env, "size", "--json"));
        assertEquals(List.of("count", "entrypoint", "priority", "status"), fields(size.get(0)));
        assertEquals(3, size.size(), size.toString());

        JsonNode throughput = json(CliProcess.run(db, env, "throughput", "--json", "--last", "600"));
        assertEquals(1, throughput.size());
        assertEquals(List.of("entrypoint", "status", "total_count"), fields(throughput.get(0)));
        assertEquals(4, throughput.get(0).get("total_count").asInt());

        JsonNode log = json(CliProcess.run(db, env, "log", "--json", "--status", "exception"));
        assertEquals(1, log.size());
        assertEquals(List.of("id", "created", "job_id", "status", "priority", "entrypoint", "traceback", "aggregated"),
                fields(log.get(0)));
        assertEquals("ValueError", log.get(0).get("traceback").get("exception_type").asText());
        JsonNode history = json(CliProcess.run(db, env, "log", "--json", "--job", Long.toString(c)));
        assertEquals(List.of("queued", "exception"), List.of(history.get(0).get("status").asText(), history.get(1).get("status").asText()));

        JsonNode jobs = json(CliProcess.run(db, env, "jobs", "--json"));
        assertEquals(3, jobs.size());
        assertEquals(b, jobs.get(0).get("id").asLong(), "highest priority first");
        assertEquals(1, jobs.get(0).get("payload_bytes").asInt());
        assertEquals(1, json(CliProcess.run(db, env, "jobs", "--json", "--status", "picked")).size());
        assertEquals(c, json(CliProcess.run(db, env, "jobs", "--json", "--entrypoint", "sms")).get(0).get("id").asLong());

        JsonNode tables = json(CliProcess.run(db, env, "tables", "--json"));
        assertEquals(List.of("table_name", "persistence", "estimated_rows", "total_size", "total_bytes"), fields(tables.get(0)));
        assertEquals(4, tables.size());
        assertEquals("pgqueuer", tables.get(0).get("table_name").asText());
        assertTrue(CliProcess.run(db, env, "tables").out().contains("pgqueuer_statistics"));

        sql(db, "INSERT INTO inspect.pgqueuer_schedules (expression, entrypoint) VALUES ('* * * * *', 'tick')");
        JsonNode schedules = json(CliProcess.run(db, env, "schedules", "--json"));
        assertEquals(List.of("id", "expression", "heartbeat", "created", "updated", "next_run", "last_run", "status",
                "entrypoint"), fields(schedules.get(0)));
        assertTrue(schedules.get(0).get("last_run").isNull());

        JsonNode dashboard = json(CliProcess.run(db, env, "dashboard", "--json"));
        assertEquals(List.of("at", "window_seconds", "queue", "throughput"), fields(dashboard));
        assertEquals(3, dashboard.get("queue").size());

        var badStatus = CliProcess.run(db, env, "jobs", "--status", "running");
        assertEquals(1, badStatus.exitCode(), badStatus.toString());
        assertEquals(1, badStatus.err().strip().lines().count(), badStatus.toString());
        assertTrue(badStatus.err().contains("Unknown --status 'running'"), badStatus.toString());
    }

    @Test
    void sqlNeedsNoDatabaseAndItsInstallTextInstalls(TestDatabase db) throws Exception {
        var install = CliProcess.run(null, Map.of("PGQUEUER_SCHEMA", "bysql", "PGQUEUER_PREFIX", "ops_"), "sql", "install");
        assertEquals(0, install.exitCode(), install.toString());
        assertTrue(install.out().contains("CREATE SCHEMA IF NOT EXISTS bysql;"), install.out());
        assertTrue(install.out().contains("CREATE TABLE IF NOT EXISTS bysql.ops_pgqueuer ("), install.out());
        assertTrue(install.out().contains("ops_pgqueuer_statistics_created"), install.out());
        assertFalse(install.out().contains("${"), install.out());
        sql(db, install.out());
        var verify = CliProcess.run(db, Map.of("PGQUEUER_SCHEMA", "bysql", "PGQUEUER_PREFIX", "ops_"), "verify", "--expect", "present");
        assertEquals(0, verify.exitCode(), verify.toString());
        var withControls = CliProcess.run(null, Map.of("PGQUEUER_SCHEMA", "bysql", "PGQUEUER_PREFIX", "ops_"),
                "sql", "upgrade", "--controls");
        assertTrue(withControls.out().contains("CREATE TABLE IF NOT EXISTS bysql.ops_pgqj_paused_entrypoints ("),
                withControls.out());
        sql(db, withControls.out());
        var pause = CliProcess.run(db, Map.of("PGQUEUER_SCHEMA", "bysql", "PGQUEUER_PREFIX", "ops_"), "pause", "mail");
        assertEquals(0, pause.exitCode(), "the printed control tables serve pgqj pause: " + pause);

        var balanced = CliProcess.run(null, Map.of(), "sql", "install", "--durability", "balanced");
        assertTrue(balanced.out().contains("CREATE UNLOGGED TABLE IF NOT EXISTS public.pgqueuer_log"), balanced.out());
        var upgrade = CliProcess.run(null, Map.of(), "sql", "upgrade");
        assertTrue(upgrade.out().startsWith("-- pgqj sql upgrade"), upgrade.out());
        var uninstall = CliProcess.run(null, Map.of("PGQUEUER_SCHEMA", "bysql", "PGQUEUER_PREFIX", "ops_"), "sql", "uninstall",
                "--controls");
        assertTrue(uninstall.out().contains("DROP TABLE IF EXISTS bysql.ops_pgqueuer, "), uninstall.out());
        assertTrue(uninstall.out().contains("DROP TABLE IF EXISTS bysql.ops_pgqj_paused_entrypoints;"), uninstall.out());
        sql(db, uninstall.out());
        assertEquals(0, CliProcess.run(db, Map.of("PGQUEUER_SCHEMA", "bysql", "PGQUEUER_PREFIX", "ops_"), "verify", "--expect", "absent").exitCode());
        assertTrue(CliProcess.run(null, Map.of(), "sql", "durability", "volatile").out()
                .contains("ALTER TABLE public.pgqueuer_log SET UNLOGGED"));
        assertTrue(CliProcess.run(null, Map.of(), "sql", "autovac", "--rollback").out()
                .contains("ALTER TABLE public.pgqueuer RESET (autovacuum_vacuum_scale_factor"));
        var badLevel = CliProcess.run(null, Map.of(), "sql", "durability", "forever");
        assertEquals(1, badLevel.exitCode(), badLevel.toString());
        assertEquals(1, badLevel.err().strip().lines().count(), badLevel.toString());
    }

    @Test
    void upgradePlanListsPendingMigrationsAndAppliesNothing(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "planned");
        PgqueuerSchema schema = PgqueuerSchema.forDataSource(db.dataSource()).names(new PgqueuerNames("", "planned"));
        Flyway.configure(PgqueuerSchema.class.getClassLoader()).configuration(schema.flyway().getConfiguration())
                .target("1").load().migrate(); // an install from before 2.0's statistics index
        var plan = CliProcess.run(db, env, "upgrade", "--plan");
        assertEquals(0, plan.exitCode(), plan.toString());
        assertTrue(plan.out().startsWith("-- V2__pgqueuer_2_0_statistics_created.sql"), plan.toString());
        assertTrue(plan.out().contains("CREATE INDEX IF NOT EXISTS pgqueuer_statistics_created ON planned.pgqueuer_statistics"), plan.out());
        assertTrue(plan.err().contains("Would apply 1 migration(s)"), plan.toString());
        assertTrue(schema.verify().missing().contains("index planned.pgqueuer_statistics_created"), "nothing applied");

        var upgrade = CliProcess.run(db, env, "upgrade");
        assertTrue(upgrade.out().contains("Applied 1 migration(s); now at version 2"), upgrade.toString());
        var current = CliProcess.run(db, env, "upgrade", "--plan");
        assertEquals(0, current.exitCode(), current.toString());
        assertEquals("", current.out(), current.toString());
        assertTrue(current.err().contains("already up to date"), current.toString());
    }

    @Test
    void durabilityAutovacAndPrune(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "maint");
        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        var durability = CliProcess.run(db, env, "durability", "balanced");
        assertEquals(0, durability.exitCode(), durability.toString());
        assertTrue(durability.err().contains("Set pgqueuer durability to balanced."), durability.toString());
        JsonNode tables = json(CliProcess.run(db, env, "tables", "--json"));
        assertEquals(List.of("LOGGED", "UNLOGGED", "LOGGED", "UNLOGGED"),
                List.of(tables.get(0).get("persistence").asText(), tables.get(1).get("persistence").asText(),
                        tables.get(2).get("persistence").asText(), tables.get(3).get("persistence").asText()));

        var autovac = CliProcess.run(db, env, "autovac");
        assertEquals(0, autovac.exitCode(), autovac.toString());
        assertTrue(autovac.err().contains("Applied recommended autovacuum settings."), autovac.toString());
        assertTrue(reloptions(db, "maint", "pgqueuer").contains("fillfactor=70"));
        assertEquals(0, CliProcess.run(db, env, "autovac", "--rollback").exitCode());
        assertEquals("", reloptions(db, "maint", "pgqueuer"));

        sql(db, "INSERT INTO maint.pgqueuer_log (job_id, status, priority, entrypoint, aggregated, created) "
                + "SELECT g, 'successful', 0, 'e', true, now() - interval '8 days' FROM generate_series(1, 30) g");
        sql(db, "INSERT INTO maint.pgqueuer_log (job_id, status, priority, entrypoint, aggregated) VALUES (99, 'queued', 0, 'e', true)");
        sql(db, "INSERT INTO maint.pgqueuer_statistics (count, priority, status, entrypoint, created) "
                + "VALUES (1, 0, 'successful', 'e', now() - interval '9 days')");
        var prune = CliProcess.run(db, env, "prune", "--older-than", "7d", "--statistics", "--batch-size", "7");
        assertEquals(0, prune.exitCode(), prune.toString());
        assertTrue(prune.out().contains("pruned 30 log row(s) older than 7d"), prune.toString());
        assertTrue(prune.out().contains("pruned 1 statistics row(s)"), prune.toString());
        assertEquals(1, json(CliProcess.run(db, env, "log", "--json")).size());

        var negative = CliProcess.run(db, env, "prune", "--older-than", "-1d");
        assertEquals(1, negative.exitCode(), negative.toString());
        assertEquals(1, negative.err().strip().lines().count(), negative.toString());
        assertTrue(negative.err().contains("--older-than must not be negative (got '-1d')"), negative.toString());
        var garbage = CliProcess.run(db, env, "prune", "--older-than", "a week");
        assertEquals(1, garbage.exitCode(), garbage.toString());
        assertTrue(garbage.err().contains("'a week' is not an age"), garbage.toString());
    }

    @Test
    void queueOnConflictUpdatePriorityRaisesTheLiveJob(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "prio");
        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        var first = CliProcess.run(db, env, "queue", "mail", "--dedupe-key", "k", "--priority", "2");
        long id = Long.parseLong(first.out().strip());
        var raised = CliProcess.run(db, env, "queue", "mail", "--dedupe-key", "k", "--priority", "8", "--on-conflict", "update-priority");
        assertEquals(0, raised.exitCode(), raised.toString());
        assertEquals(Long.toString(id), raised.out().strip(), "the EXISTING id");
        var lower = CliProcess.run(db, env, "queue", "mail", "--dedupe-key", "k", "--priority", "1", "--on-conflict", "update-priority");
        assertEquals(Long.toString(id), lower.out().strip());
        JsonNode jobs = json(CliProcess.run(db, env, "jobs", "--json"));
        assertEquals(1, jobs.size());
        assertEquals(8, jobs.get(0).get("priority").asInt(), "raised, never lowered");

        var unknown = CliProcess.run(db, env, "queue", "mail", "--on-conflict", "replace");
        assertEquals(1, unknown.exitCode(), unknown.toString());
        assertEquals(1, unknown.err().strip().lines().count(), unknown.toString());
        assertTrue(unknown.err().contains("Unknown --on-conflict 'replace': use raise, skip or update-priority"), unknown.toString());
    }

    @Test
    void queueHeadersAreStoredAsTheJsonObjectGiven(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "hdr");
        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        String headers = "{\"tenant\": \"acme\", \"otel\": {\"traceparent\": \"00-0af7651916cd43dd8448eb211c80319c-"
                + "b7ad6b7169203331-01\", \"baggage\": {\"k\": [1, 2.5, true, null]}}, \"retries\": 3, \"flag\": false}";
        var queued = CliProcess.run(db, env, "queue", "mail", "--headers", headers);
        assertEquals(0, queued.exitCode(), queued.toString());
        long id = Long.parseLong(queued.out().strip());
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT headers::text FROM hdr.pgqueuer WHERE id = " + id)) {
            assertTrue(rs.next());
            assertEquals(JSON.readTree(headers), JSON.readTree(rs.getString(1)), "nested objects, arrays and scalars kept");
        }
        var none = CliProcess.run(db, env, "queue", "mail");
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT headers::text FROM hdr.pgqueuer WHERE id = " + none.out().strip())) {
            assertTrue(rs.next());
            assertEquals("null", rs.getString(1), "no --headers: JSON null, as pgqueuer writes");
        }

        for (var bad : List.of(List.of("[1, 2]", "--headers must be a JSON object, not a JSON array ([1, 2])"),
                List.of("\"acme\"", "--headers must be a JSON object, not a JSON string"),
                List.of("{\"tenant\": acme}", "--headers is not valid JSON (Unrecognized token 'acme'"),
                List.of("{\"a\": 1} {}", "--headers is not valid JSON"),
                List.of("", "--headers must be a JSON object, not empty text"))) {
            var r = CliProcess.run(db, env, "queue", "mail", "--headers", bad.get(0));
            assertEquals(1, r.exitCode(), r.toString());
            assertEquals(1, r.err().strip().lines().count(), r.toString());
            assertTrue(r.err().contains(bad.get(1)), r.toString());
        }
        assertEquals(2, json(CliProcess.run(db, env, "jobs", "--json")).size(), "nothing enqueued by a bad --headers");
    }

    @Test
    void pgqueuerDsnIsReadBeforePgdsn(TestDatabase db) throws Exception {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("PGQUEUER_DSN", db.postgresUrl());
        env.put("PGDSN", "postgresql://nobody@127.0.0.1:1/nowhere");
        var verify = CliProcess.run(null, env, "verify", "--expect", "absent");
        assertEquals(0, verify.exitCode(), "PGQUEUER_DSN wins over PGDSN: " + verify);
        env.remove("PGQUEUER_DSN");
        var fallback = CliProcess.run(null, env, "verify", "--expect", "absent");
        assertEquals(1, fallback.exitCode(), fallback.toString());
        assertTrue(fallback.err().contains("127.0.0.1:1/nowhere"), "then PGDSN: " + fallback);
    }

    private static String reloptions(TestDatabase db, String schema, String table) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class c JOIN pg_namespace n "
                        + "ON n.oid = c.relnamespace WHERE n.nspname = '" + schema + "' AND relname = '" + table + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
