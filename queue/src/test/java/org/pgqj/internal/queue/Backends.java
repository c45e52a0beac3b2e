package org.pgqj.internal.queue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.pgqj.internal.sql.DedicatedConnection;
import org.pgqj.testing.TestDatabase;

/** What the server says about a test's backends: which one a connection is, and whether it waits on a lock. */
final class Backends {

    private Backends() {
    }

    /** The backend pid of {@code connection}'s session. */
    static int pid(DedicatedConnection connection) {
        return connection.jdbc(s -> {
            try (var st = s.connection().createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    /**
     * Another worker's claim of job {@code id} with concurrency slot {@code slot}, left uncommitted on
     * {@code other} (which this turns into a transaction): the far side of a slot race.
     */
    static void pickUncommitted(Connection other, long id, int slot) throws SQLException {
        other.setAutoCommit(false);
        try (PreparedStatement ps = other.prepareStatement(
                "UPDATE pgqueuer SET status = 'picked', slot = ?, queue_manager_id = gen_random_uuid() WHERE id = ?")) {
            ps.setInt(1, slot);
            ps.setLong(2, id);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("job " + id + " is not in the queue");
            }
        }
    }

    /** Whether backend {@code pid} waits on a lock now (a claim blocked on another transaction's slot). */
    static boolean waitsOnALock(TestDatabase db, int pid) {
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT wait_event_type FROM pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && "Lock".equals(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
