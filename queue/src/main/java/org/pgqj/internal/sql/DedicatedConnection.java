package org.pgqj.internal.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.pgqj.core.QueueTables;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;

/**
 * One connection a worker thread keeps for its own statements (claims, or completion writes), so a
 * busy worker does not borrow and return a connection per statement. It also keeps the JDBC
 * prepared statements of the hot statements ({@link RenderedStatement}), so each of those is parsed and
 * planned once per connection. A broken connection (server restart, terminated backend) is dropped
 * with its statements and the next use opens a fresh one. Used by one thread at a time.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class DedicatedConnection implements AutoCloseable {

    /** Work on the raw connection: a prepared hot statement, bound and run through pgjdbc. */
    @FunctionalInterface
    public interface JdbcWork<T> {
        /** Runs on the session's connection. */
        T apply(Session session) throws SQLException;
    }

    /** What {@link JdbcWork} gets: the connection, its render-mapped jOOQ context and statement cache. */
    public interface Session {
        /** The raw pgjdbc connection (auto-commit). */
        Connection connection();

        /** The connection's jOOQ context, render-mapped to the install. */
        DSLContext dsl();

        /** The cached prepared statement for {@code sql} on this connection (prepared on first use). */
        PreparedStatement prepare(String sql) throws SQLException;
    }

    private static final int MAX_STATEMENTS = 32;

    private final DataSource dataSource;
    private final QueueTables tables;
    private final BiFunction<String, SQLException, RuntimeException> openFailure;
    /** This and the three fields below: guarded by this object's monitor (the owning loop's thread, and close()). */
    private final Map<String, PreparedStatement> statements = new LinkedHashMap<>(16, 0.75f, true);
    private final Session session = new Session() {
        @Override
        public Connection connection() {
            return connection;
        }

        @Override
        public DSLContext dsl() {
            return dsl;
        }

        @Override
        public PreparedStatement prepare(String sql) throws SQLException {
            return statement(sql);
        }
    };
    private final boolean sessionState;
    /** The connection's own prepareThreshold, put back before it is closed (a pool gets it as it gave it); -1: untouched. */
    private int urlPrepareThreshold = -1;
    private Connection connection;
    private DSLContext dsl;

    /**
     * A connection from {@code dataSource} (opened on first use) for the install {@code tables};
     * {@code openFailure} makes the exception thrown when it cannot be opened (from a message and the cause).
     */
    public DedicatedConnection(DataSource dataSource, QueueTables tables,
                               BiFunction<String, SQLException, RuntimeException> openFailure) {
        this(dataSource, tables, openFailure, true);
    }

    /**
     * {@code sessionState = false} for a connection through a transaction pooler (PgBouncer
     * {@code pool_mode=transaction}): each statement may land on another server connection, so no session
     * settings (they would stick to a server connection other clients get) and no named server-side
     * statements (one exists on one server connection only): this connection's {@code prepareThreshold} is 0
     * whatever the URL says, and what the URL said is put back before the connection is closed.
     */
    public DedicatedConnection(DataSource dataSource, QueueTables tables,
                               BiFunction<String, SQLException, RuntimeException> openFailure, boolean sessionState) {
        this.dataSource = dataSource;
        this.tables = tables;
        this.openFailure = openFailure;
        this.sessionState = sessionState;
    }

    /** Opens the connection now if it is not open; a failure comes back as {@code openFailure}'s exception with the cause. */
    public synchronized void open() {
        dsl();
    }

    /** Runs {@code work} in auto-commit on the connection; a failure that broke the connection drops it. */
    public synchronized <T> T run(Function<DSLContext, T> work) {
        try {
            return work.apply(dsl());
        } catch (RuntimeException e) {
            dropIfBroken();
            throw e;
        }
    }

    /** The install's names (for NOTIFY payloads written on this connection). */
    public QueueTables tables() {
        return tables;
    }

    /**
     * Runs JDBC work in auto-commit on the connection. An {@link SQLException} comes back as jOOQ's
     * {@link DataAccessException} (its cause), like the failures of {@link #run(Function)}.
     */
    public synchronized <T> T jdbc(JdbcWork<T> work) {
        try {
            dsl();
            return work.apply(session);
        } catch (SQLException e) {
            dropIfBroken();
            throw new DataAccessException(e.getMessage(), e);
        } catch (RuntimeException e) {
            dropIfBroken();
            throw e;
        }
    }

    private DSLContext dsl() {
        if (dsl == null) {
            try {
                connection = dataSource.getConnection();
                connection.setAutoCommit(true);
                if (!sessionState) {
                    unnamedStatementsOnly();
                }
            } catch (SQLException e) {
                throw openFailure.apply("Cannot open a worker connection: " + e.getMessage(), e);
            }
            dsl = tables.dsl(DSL.using(connection, SQLDialect.POSTGRES));
            if (!sessionState) {
                return dsl;
            }
            // the claim and completion statements are long CTE chains whose planning costs more than
            // their execution; one generic plan per (server-prepared) statement keeps each round trip cheap
            dsl.set(DSL.name("plan_cache_mode"), DSL.inline("force_generic_plan")).execute();
            // A generic plan made while the queue table is (nearly) empty, as when a worker starts before
            // the first enqueue, joins the claimed ids by hashing a sequential scan of the table, and is
            // kept as the table grows. Every worker statement has an index to use, so sequential scans are
            // priced out on these connections (GenericPlanTest).
            dsl.set(DSL.name("enable_seqscan"), DSL.inline("off")).execute();
        }
        return dsl;
    }

    /**
     * pgjdbc names a statement on the server after {@code prepareThreshold} runs (5 unless the URL says
     * otherwise), and this connection's statements run thousands of times: through a transaction pooler
     * the name would reach server connections that never prepared it ("prepared statement S_1 does not
     * exist", or another client's statement of that name).
     */
    private void unnamedStatementsOnly() throws SQLException {
        if (connection.isWrapperFor(PGConnection.class)) {
            PGConnection pg = connection.unwrap(PGConnection.class);
            urlPrepareThreshold = pg.getPrepareThreshold();
            pg.setPrepareThreshold(0);
        }
    }

    private PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            if (sessionState) {
                // server-prepared from the first run: these statements are run thousands of times
                ps.unwrap(PGStatement.class).setPrepareThreshold(1);
            }
            statements.put(sql, ps);
            if (statements.size() > MAX_STATEMENTS) {
                Iterator<PreparedStatement> eldest = statements.values().iterator();
                closeQuietly(eldest.next());
                eldest.remove();
            }
        }
        return ps;
    }

    private void dropIfBroken() {
        if (connection == null) {
            return;
        }
        boolean valid;
        try {
            valid = connection.isValid(2);
        } catch (SQLException e) {
            valid = false;
        }
        if (!valid) {
            close();
        }
    }

    private static void closeQuietly(PreparedStatement ps) {
        try {
            ps.close();
        } catch (SQLException ignored) {
            // its connection is gone already
        }
    }

    @Override
    public synchronized void close() {
        statements.values().forEach(DedicatedConnection::closeQuietly);
        statements.clear();
        if (connection != null) {
            try {
                if (urlPrepareThreshold >= 0) {
                    connection.unwrap(PGConnection.class).setPrepareThreshold(urlPrepareThreshold);
                }
            } catch (SQLException ignored) {
                // a closed connection goes nowhere else
            }
            try {
                connection.close();
            } catch (SQLException ignored) {
                // discarded anyway
            }
        }
        connection = null;
        dsl = null;
        urlPrepareThreshold = -1;
    }
}
