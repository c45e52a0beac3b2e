package org.pgqj.internal.listen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/**
 * The listener's reads: straight off pgjdbc's stream (the driver upgrade that breaks this must fail
 * here, not quietly cost every job a millisecond), in order, with notifications pgjdbc queued while a
 * statement ran, and with a lost connection reported as an error.
 */
@ExtendWith(PostgresExtension.class)
class NotificationReaderTest {

    private static final String CHANNEL = "ch_reader_test";

    @Test
    void readsNotificationsStraightOffTheStreamInOrder(TestDatabase db) throws Exception {
        try (Connection listening = listen(db); Connection sender = db.connect()) {
            NotificationReader reader = NotificationReader.of(listening);
            assertTrue(reader.isDirect(), "pgjdbc's stream should be reachable; otherwise reads pay pgjdbc's 1 ms tail");
            assertEquals(List.of(), reader.read(50), "nothing sent yet: the read times out empty");

            send(sender, "one");
            send(sender, "two");
            try (Statement st = sender.createStatement()) {
                // two notifications in one transaction arrive back to back in one burst
                sender.setAutoCommit(false);
                st.execute("SELECT pg_notify('" + CHANNEL + "', 'three'), pg_notify('" + CHANNEL + "', 'four')");
                sender.commit();
                sender.setAutoCommit(true);
            }
            assertEquals(List.of("one", "two", "three", "four"), readAll(reader, 4));
            assertEquals(List.of(), reader.read(50));
        }
    }

    @Test
    void notificationTakenInDuringAStatementOnTheListeningConnectionIsReturned(TestDatabase db) throws Exception {
        try (Connection listening = listen(db)) {
            NotificationReader reader = NotificationReader.of(listening);
            // the connection notifies itself (as the health probe does): pgjdbc queues it while reading the result
            send(listening, "self");
            assertEquals(List.of("self"), readAll(reader, 1));
        }
    }

    @Test
    void terminatedBackendIsAnError(TestDatabase db) throws Exception {
        try (Connection listening = listen(db); Connection admin = db.connect()) {
            NotificationReader reader = NotificationReader.of(listening);
            int pid;
            try (Statement st = listening.createStatement(); var rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            try (PreparedStatement ps = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
                ps.setInt(1, pid);
                ps.execute();
            }
            // the server's FATAL error (or the closed socket) must surface, within a few reads at most
            assertThrows(SQLException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    reader.read(100);
                }
            });
        }
    }

    private static Connection listen(TestDatabase db) throws SQLException {
        Connection c = db.connect();
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            st.execute("LISTEN " + CHANNEL);
        }
        return c;
    }

    private static void send(Connection c, String payload) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, CHANNEL);
            ps.setString(2, payload);
            ps.execute();
        }
    }

    /** Reads until {@code count} payloads came (each read waits up to 5 s). */
    private static List<String> readAll(NotificationReader reader, int count) throws SQLException {
        List<String> all = new ArrayList<>();
        for (int reads = 0; all.size() < count && reads < count + 10; reads++) {
            all.addAll(reader.read(5_000));
        }
        return all;
    }
}
