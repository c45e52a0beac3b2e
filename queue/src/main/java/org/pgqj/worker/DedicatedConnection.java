package org.pgqj.worker;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.pgqj.core.QueueTables;

/**
 * One connection a worker thread keeps for its own statements (claims, or completion writes), so a
 * busy worker does not borrow and return a connection per statement. A broken connection (server
 * restart, terminated backend) is dropped and the next use opens a fresh one. Used by one thread at a time.
 */
final class DedicatedConnection implements AutoCloseable {

    private final DataSource dataSource;
    private final QueueTables tables;
    private Connection connection;
    private DSLContext dsl;

    DedicatedConnection(DataSource dataSource, QueueTables tables) {
        this.dataSource = dataSource;
        this.tables = tables;
    }

    /** Runs {@code work} in auto-commit on the connection; a failure that broke the connection drops it. */
    synchronized <T> T run(Function<DSLContext, T> work) {
        try {
            return work.apply(dsl());
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
            } catch (SQLException e) {
                throw new WorkerException("Cannot open a worker connection: " + e.getMessage(), e);
            }
            dsl = tables.dsl(DSL.using(connection, SQLDialect.POSTGRES));
            // the claim and completion statements are long CTE chains whose planning costs more than
            // their execution; one generic plan per (server-prepared) statement keeps each round trip cheap
            dsl.set(DSL.name("plan_cache_mode"), DSL.inline("force_generic_plan")).execute();
        }
        return dsl;
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

    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // discarded anyway
            }
        }
        connection = null;
        dsl = null;
    }
}
