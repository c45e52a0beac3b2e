package org.pgqj.spring.autoconfigure;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.pgqj.connect.ConnectionUrl;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.ds.common.BaseDataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.util.ClassUtils;

/**
 * The two ways pgqj reaches the queue's database.
 *
 * <p>{@link #shared()} serves short statements (schema migration and verification, admin, health,
 * schedules): the app's pool when the queue is in the app's database. {@link #dedicated()} is an
 * unpooled pgjdbc data source with the same URL and credentials, from which the worker opens its own
 * long-lived connections (LISTEN, claims, writes): a LISTEN on a pooled connection loses notifications
 * when the pool hands the connection to someone else, and connections kept for good would shrink the
 * app's pool.
 *
 * @param shared    short-lived statements
 * @param dedicated the worker's own connections
 * @param source    where the settings came from, for logs and errors (never a password)
 */
public record PgqjDataSources(DataSource shared, DataSource dedicated, String source) {

    private static final boolean HIKARI = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource",
            PgqjDataSources.class.getClassLoader());

    /**
     * From {@code pgqj.datasource.url} when set (the queue's own database), else from the app's
     * {@code DataSource}.
     *
     * @throws PgqjStartupException when neither is there, or the app's data source does not reveal its
     *                              URL and credentials
     */
    static PgqjDataSources resolve(PgqjProperties properties, Optional<DataSource> app) {
        if (properties.getDatasource().hasUrl()) {
            ConnectionUrl url = ConnectionUrl.parse(properties.getDatasource().getUrl());
            PGSimpleDataSource unpooled = url.dataSource();
            DataSource shared = app.filter(ds -> sameDatabase(ds, url)).orElse(unpooled);
            return new PgqjDataSources(shared, unpooled, "pgqj.datasource.url " + url);
        }
        DataSource ds = app.orElseThrow(() -> new PgqjStartupException("pgqj needs a database: set spring.datasource.url "
                + "(the app's DataSource) or pgqj.datasource.url (any URL form a Python service's DATABASE_URL uses, "
                + "e.g. postgresql://user:password@host:5432/db)"));
        return new PgqjDataSources(ds, unpooledFrom(ds), "the app's DataSource");
    }

    /** The pool name of the app DataSource that {@link PgqjDataSourceAutoConfiguration} builds on pgqj.datasource.url. */
    static final String URL_POOL_NAME = "pgqj-datasource-url";

    private static boolean sameDatabase(DataSource ds, ConnectionUrl url) {
        // the app's pool was built from this very URL: short statements use it rather than fresh connections
        return HIKARI && target(ds) instanceof HikariDataSource h && URL_POOL_NAME.equals(h.getPoolName());
    }

    /** An unpooled data source on the same database and credentials as {@code ds}. */
    static DataSource unpooledFrom(DataSource ds) {
        DataSource target = target(ds);
        if (target instanceof BaseDataSource) {
            return target; // already unpooled: every getConnection() opens a new physical connection
        }
        if (HIKARI && target instanceof HikariDataSource hikari) {
            if (hikari.getDataSource() instanceof BaseDataSource && hikari.getDataSource() != null) {
                return hikari.getDataSource();
            }
            if (hikari.getJdbcUrl() != null) {
                PGSimpleDataSource unpooled = ConnectionUrl.parse(hikari.getJdbcUrl()).dataSource();
                if (hikari.getUsername() != null) {
                    unpooled.setUser(hikari.getUsername());
                }
                if (hikari.getPassword() != null) {
                    unpooled.setPassword(hikari.getPassword());
                }
                hikari.getDataSourceProperties().forEach((k, v) -> setProperty(unpooled, String.valueOf(k), String.valueOf(v)));
                return unpooled;
            }
        }
        throw new PgqjStartupException("pgqj cannot open the worker's own connections from the app's DataSource ("
                + target.getClass().getName() + "): it does not reveal its URL and credentials. Set pgqj.datasource.url "
                + "to the same database, e.g. pgqj.datasource.url=${spring.datasource.url}, or use HikariCP or a pgjdbc "
                + "data source");
    }

    private static DataSource target(DataSource ds) {
        DataSource current = ds;
        while (current instanceof DelegatingDataSource d && d.getTargetDataSource() != null) {
            current = d.getTargetDataSource();
        }
        try {
            if (HIKARI && !(current instanceof HikariDataSource) && current.isWrapperFor(HikariDataSource.class)) {
                return current.unwrap(HikariDataSource.class);
            }
        } catch (SQLException e) {
            // not a wrapper we can see through; use it as it is
        }
        return current;
    }

    private static void setProperty(PGSimpleDataSource ds, String key, String value) {
        try {
            ds.setProperty(key, value);
        } catch (SQLException e) {
            throw new PgqjStartupException("spring.datasource.hikari.data-source-properties." + key
                    + " is not a pgjdbc connection property: " + e.getMessage(), e);
        }
    }
}
