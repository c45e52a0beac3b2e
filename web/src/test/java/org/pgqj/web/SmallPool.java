package org.pgqj.web;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.logging.Logger;
import javax.sql.ConnectionEvent;
import javax.sql.ConnectionEventListener;
import javax.sql.DataSource;
import javax.sql.PooledConnection;
import org.postgresql.ds.PGConnectionPoolDataSource;

/**
 * A fixed pool of pgjdbc connections for the scale measurement, standing in for the pool an application mounts the
 * dashboard with (Spring's Hikari): a connection goes back to the pool when its user closes it. Connections are
 * opened on demand and kept until {@link #close()}; a connection that reported an error is dropped.
 */
final class SmallPool implements DataSource, AutoCloseable {

    private final PGConnectionPoolDataSource source = new PGConnectionPoolDataSource();
    private final BlockingQueue<PooledConnection> idle = new LinkedBlockingQueue<>();

    SmallPool(String url, String user, String password) {
        source.setURL(url);
        source.setUser(user);
        if (!password.isEmpty()) {
            source.setPassword(password);
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        PooledConnection pooled = idle.poll();
        if (pooled == null) {
            PooledConnection fresh = source.getPooledConnection();
            fresh.addConnectionEventListener(new ConnectionEventListener() {
                @Override
                public void connectionClosed(ConnectionEvent event) {
                    idle.add(fresh);
                }

                @Override
                public void connectionErrorOccurred(ConnectionEvent event) {
                    try {
                        fresh.close();
                    } catch (SQLException ignored) {
                        // dropped anyway
                    }
                }
            });
            pooled = fresh;
        }
        return pooled.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("one user per pool");
    }

    @Override
    public void close() throws SQLException {
        for (PooledConnection c; (c = idle.poll()) != null; ) {
            c.close();
        }
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
