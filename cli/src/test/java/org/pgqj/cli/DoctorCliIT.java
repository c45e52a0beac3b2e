package org.pgqj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** `pgqj doctor` as a monitoring probe: exit 0, 1 or 2 as the findings get worse, text and --json. */
@ExtendWith(PostgresExtension.class)
class DoctorCliIT {

    private static void sql(TestDatabase db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Test
    void exitCodesFollowTheWorstFinding(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "doc");
        CliProcess.Result absent = CliProcess.run(db, env, "doctor");
        assertEquals(2, absent.exitCode(), absent::toString);
        assertTrue(absent.out().startsWith("ERROR   SCHEMA doc.pgqueuer: the pgqueuer schema is not installed"), absent::toString);

        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        CliProcess.Result fine = CliProcess.run(db, env, "doctor");
        assertEquals(0, fine.exitCode(), fine::toString);
        assertEquals("pgqj doctor: all fine", fine.out().strip());

        long id = Long.parseLong(CliProcess.run(db, env, "queue", "mail").out().strip());
        sql(db, "UPDATE doc.pgqueuer SET status = 'picked', heartbeat = now() - interval '10 minutes', "
                + "queue_manager_id = gen_random_uuid() WHERE id = " + id);
        CliProcess.Result warned = CliProcess.run(db, env, "doctor", "--json");
        assertEquals(1, warned.exitCode(), warned::toString);
        JsonNode doc = new ObjectMapper().readTree(warned.out());
        assertEquals("warning", doc.get("status").asText());
        assertEquals(1, doc.get("exit_code").asInt());
        JsonNode stale = doc.get("findings").get(0);
        assertEquals("stale_picked", stale.get("check").asText());
        assertEquals("mail", stale.get("subject").asText());
        assertTrue(stale.get("advice").asText().contains("pgqj cancel"), stale::toString);
        assertEquals(0, CliProcess.run(db, env, "doctor", "--stale-after", "1h").exitCode(), "a longer threshold");

        CliProcess.run(db, env, "queue", "sms");
        sql(db, "UPDATE doc.pgqueuer SET execute_after = now() - interval '1 hour' WHERE entrypoint = 'sms'");
        CliProcess.Result failed = CliProcess.run(db, env, "doctor");
        assertEquals(2, failed.exitCode(), failed::toString);
        // no worker of either language is connected at all: one error for the fleet
        assertTrue(failed.out().startsWith("ERROR   NO_LIVE_WORKER doc.pgqueuer: 1 due job waiting (sms: 1; the oldest "
                + "due for 60 min) and no worker session of either language is connected"), failed::toString);
        assertTrue(failed.out().contains("        what to do: Start the workers (Java: pgqj run"), failed::toString);
        assertTrue(failed.out().strip().endsWith("pgqj doctor: 1 error, 1 warning"), failed::toString);
    }

    @Test
    void aDatabaseItCannotReachIsExitTwoAndBadOptionsExitOne(TestDatabase db) throws Exception {
        CliProcess.Result down = CliProcess.run(db, Map.of(), "--pg-dsn", "postgresql://nobody@127.0.0.1:1/none", "doctor");
        assertEquals(2, down.exitCode(), down::toString);
        assertTrue(down.err().startsWith("pgqj: doctor cannot examine the queue: Cannot connect to PostgreSQL at 127.0.0.1:1"),
                down::toString);
        CliProcess.Result bad = CliProcess.run(db, Map.of(), "doctor", "--limit", "mail");
        assertEquals(1, bad.exitCode(), bad::toString);
        assertEquals("pgqj: --limit takes ENTRYPOINT=N (got 'mail')", bad.err().strip());
    }
}
