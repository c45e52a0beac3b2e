package org.pgqj.internal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.PgqjException;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.postgresql.PGConnection;

/**
 * The worker's own connections: with session state (direct) every hot statement is named on the server from
 * its first run; poll-only (through a transaction pooler) none ever is, whatever the URL's prepareThreshold,
 * and a pooled connection goes back with the threshold the pool gave it.
 */
@ExtendWith(PostgresExtension.class)
class DedicatedConnectionTest {

    private static final String SQL = "SELECT ?::int + 1";

    @Test
    void pollOnlyConnectionsNeverNameAStatementOnTheServer(TestDatabase db) {
        try (DedicatedConnection direct = new DedicatedConnection(db.dataSource(), QueueTables.defaults(),
                PgqjException::new, true)) {
            assertEquals(1, runAndCountNamed(direct), "direct: named from the first run");
        }
        try (DedicatedConnection pooled = new DedicatedConnection(db.dataSource(), QueueTables.defaults(),
                PgqjException::new, false)) {
            assertEquals(0, runAndCountNamed(pooled), "poll-only: unnamed after 20 runs (pgjdbc names at 5)");
        }
    }

    @Test
    void aPooledConnectionGoesBackWithItsOwnThreshold(TestDatabase db) throws Exception {
        List<Integer> thresholdAtClose = new ArrayList<>();
        DataSource pool = closingRecorder(db.dataSource(), thresholdAtClose);
        DedicatedConnection pooled = new DedicatedConnection(pool, QueueTables.defaults(), PgqjException::new, false);
        pooled.jdbc(session -> {
            assertEquals(0, session.connection().unwrap(PGConnection.class).getPrepareThreshold());
            return null;
        });
        pooled.close();
        assertEquals(List.of(5), thresholdAtClose, "pgjdbc's default, as the URL left it");
    }

    /** Runs {@link #SQL} 20 times on the connection's cached statement; returns the statements named in its session. */
    private static long runAndCountNamed(DedicatedConnection connection) {
        return connection.jdbc(session -> {
            PreparedStatement ps = session.prepare(SQL);
            for (int i = 0; i < 20; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(i + 1, rs.getInt(1));
                }
            }
            try (var st = session.connection().createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** A data source whose connections record their prepareThreshold when closed, as a pool would get them back. */
    private static DataSource closingRecorder(DataSource target, List<Integer> thresholds) {
        return proxy(DataSource.class, (method, args) -> {
            if (!method.getName().equals("getConnection")) {
                return method.invoke(target, args);
            }
            Connection real = target.getConnection();
            return proxy(Connection.class, (m, a) -> {
                if (m.getName().equals("close")) {
                    thresholds.add(real.unwrap(PGConnection.class).getPrepareThreshold());
                }
                return m.invoke(real, a);
            });
        });
    }

    private interface Call {
        Object invoke(Method method, Object[] args) throws Exception;
    }

    private static <T> T proxy(Class<T> type, Call call) {
        return type.cast(Proxy.newProxyInstance(DedicatedConnectionTest.class.getClassLoader(), new Class<?>[] {type},
                (p, method, args) -> {
                    try {
                        return call.invoke(method, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
    }
}
