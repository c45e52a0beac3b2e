package org.pgqj.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.Await;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The listener's health check: three probes in a row that do not come back within the interval, on a
 * connection that is still open, count as a lost connection; the listener replaces it and delivers again.
 * (A terminated backend, where the connection visibly closes, is WorkerListenerTest's case.)
 */
@ExtendWith(PostgresExtension.class)
class ChannelListenerHealthCheckTest {

    private static final String CHANNEL = "ch_health_test";
    /** Short, so a lost probe is noticed within a second or so. */
    private static final Duration INTERVAL = Duration.ofMillis(300);
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    /**
     * A connection that stays open but carries nothing (a silently dropped NAT/firewall entry): the
     * probe never returns, so the listener must give the connection up by itself rather than wait on
     * it forever, and LISTEN again on a fresh one.
     */
    @Test
    void blackHoledConnectionIsDeclaredLostAndReplaced(TestDatabase db) throws Exception {
        Recorder recorder = new Recorder(table -> { });
        try (FreezingTcpProxy proxy = new FreezingTcpProxy(db.host(), db.port());
             ChannelListener listener = ChannelListener.start(throughProxy(db, proxy), CHANNEL, "pgqj-test-black-hole",
                     recorder, INTERVAL)) {
            assertTrue(listener.awaitConnected(DEADLINE));
            notifyTableChanged(db, "before_freeze");
            Await.until("delivery before the freeze", DEADLINE, () -> recorder.tables.contains("before_freeze"));
            assertEquals(1, proxy.acceptedConnections());

            proxy.freezeOpenConnections();
            Await.until("listener declares the frozen connection lost", DEADLINE, () -> recorder.disconnects.get() == 1);
            Await.until("listener connected again", DEADLINE, () -> recorder.connects.get() == 2 && listener.isConnected());
            assertEquals(2, proxy.acceptedConnections(), "the new LISTEN should be on a new connection");

            notifyTableChanged(db, "after_recovery");
            Await.until("delivery after recovery", DEADLINE, () -> recorder.tables.contains("after_recovery"));
            assertEquals(1, recorder.disconnects.get());
        }
    }

    /**
     * The session itself stops receiving (its LISTEN is gone) while the connection is perfectly
     * healthy: only the missing probe can tell, and it must count as a lost connection. The UNLISTEN
     * runs on the listener's own connection from inside the handler, i.e. on the listener's thread
     * between two polls, so nothing else touches that connection concurrently.
     */
    @Test
    void probeMissingOnAnOpenConnectionCountsAsLost(TestDatabase db) throws Exception {
        List<Connection> handedOut = new CopyOnWriteArrayList<>();
        AtomicInteger unlistened = new AtomicInteger();
        long[] unlistenedAt = new long[1];
        Recorder recorder = new Recorder(table -> {
            if (table.equals("stop_listening")) {
                try (Statement st = handedOut.getLast().createStatement()) {
                    st.execute("UNLISTEN *");
                    unlistenedAt[0] = System.nanoTime();
                    unlistened.incrementAndGet();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        // not a PostgreSQL data source: the listener uses the connections exactly as handed out, so the test holds them
        DataSource keeping = new PlainDataSource(db, handedOut);
        try (ChannelListener listener = ChannelListener.start(keeping, CHANNEL, "pgqj-test-unlisten", recorder, INTERVAL)) {
            assertTrue(listener.awaitConnected(DEADLINE));
            notifyTableChanged(db, "stop_listening");
            Await.until("handler unlistened", DEADLINE, () -> unlistened.get() == 1);
            Connection first = handedOut.getFirst();
            assertFalse(first.isClosed(), "the connection itself is fine; only its LISTEN is gone");

            Await.until("listener declares the silent connection lost", DEADLINE, () -> recorder.disconnects.get() == 1);
            long silentMillis = (recorder.disconnectedAt - unlistenedAt[0]) / 1_000_000;
            // pgqueuer 2.2: three unanswered probes in a row, each given one interval, before the listener is dead
            assertTrue(silentMillis >= 3 * INTERVAL.toMillis() - 50,
                    "declared lost after " + silentMillis + " ms, before three probes of " + INTERVAL.toMillis() + " ms");
            Await.until("listener connected again", DEADLINE, () -> recorder.connects.get() == 2 && listener.isConnected());
            assertEquals(2, handedOut.size(), "the new LISTEN should be on a new connection");
            assertTrue(first.isClosed(), "the listener should discard the connection whose probe was lost");

            notifyTableChanged(db, "after_recovery");
            Await.until("delivery after recovery", DEADLINE, () -> recorder.tables.contains("after_recovery"));
            assertEquals(1, recorder.disconnects.get());
        } finally {
            for (Connection c : handedOut) {
                c.close();
            }
        }
    }

    private static DataSource throughProxy(TestDatabase db, FreezingTcpProxy proxy) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + db.name());
        ds.setUser(db.user());
        if (!db.password().isEmpty()) {
            ds.setPassword(db.password());
        }
        return ds;
    }

    /** A table_changed_event as pgqueuer's trigger sends it, from a session of its own. */
    private static void notifyTableChanged(TestDatabase db, String table) throws SQLException {
        String json = "{\"channel\":\"" + CHANNEL + "\",\"operation\":\"update\",\"sent_at\":\"" + Instant.now()
                + "\",\"table\":\"" + table + "\",\"type\":\"table_changed_event\"}";
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, CHANNEL);
            ps.setString(2, json);
            ps.execute();
        }
    }


    /** Counts connects and losses, remembers the tables of delivered events, then runs the hook. */
    private static final class Recorder implements ChannelListener.Handler {
        final AtomicInteger connects = new AtomicInteger();
        final AtomicInteger disconnects = new AtomicInteger();
        volatile long disconnectedAt;
        final Set<String> tables = ConcurrentHashMap.newKeySet();
        private final Consumer<String> onTable;

        Recorder(Consumer<String> onTable) {
            this.onTable = onTable;
        }

        @Override
        public void onTableChanged(TableChangedEvent event) {
            tables.add(event.table());
            onTable.accept(event.table());
        }

        @Override
        public void onCancellation(CancellationEvent event) {
        }

        @Override
        public void onConnected() {
            connects.incrementAndGet();
        }

        @Override
        public void onDisconnected() {
            disconnectedAt = System.nanoTime();
            disconnects.incrementAndGet();
        }
    }

    /** Fresh connections to the test database, each remembered, behind a data source that is no PostgreSQL one. */
    private record PlainDataSource(TestDatabase db, List<Connection> handedOut) implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            Connection c = db.connect();
            handedOut.add(c);
            return c;
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
