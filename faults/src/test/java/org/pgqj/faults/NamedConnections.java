package org.pgqj.faults;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A pgjdbc data source that names each connection it opens {@code PREFIX-1}, {@code PREFIX-2}, ... in
 * {@code application_name}, so a test can find (and terminate) one connection of a worker: a worker opens
 * its claim connection first and its completion-write connection second. The LISTEN connection is opened
 * by the listener itself and named {@code pgqj-listener-<worker id>}.
 */
final class NamedConnections extends PGSimpleDataSource {

    private final String prefix;
    private final AtomicInteger opened = new AtomicInteger();

    NamedConnections(String url, String prefix) {
        this.prefix = prefix;
        setURL(url);
        setConnectTimeout(5);
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = super.getConnection();
        c.setClientInfo("ApplicationName", prefix + "-" + opened.incrementAndGet());
        return c;
    }

    int opened() {
        return opened.get();
    }
}
