package org.pgqj.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A database of its own for one test class, on the server {@link PostgresExtension} found.
 * It exists from before the class's first test until after its last, then is dropped.
 */
public final class TestDatabase {

    private final PostgresServer server;
    private final String name;

    TestDatabase(PostgresServer server, String name) {
        this.server = server;
        this.name = name;
    }

    /** The database's name, unique per test class and run. */
    public String name() {
        return name;
    }

    /** A JDBC URL without credentials; pair it with {@link #user()} and {@link #password()}. */
    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    /** A user that owns this database. */
    public String user() {
        return server.user();
    }

    /** That user's password; empty when the server trusts the connection. */
    public String password() {
        return server.password();
    }

    /** Host of the server. */
    public String host() {
        return server.host();
    }

    /** TCP port of the server. */
    public int port() {
        return server.port();
    }

    /** A URL in the form Python's pgqueuer reads ({@code postgresql://user[:password]@host:port/db}). */
    public String postgresUrl() {
        String auth = server.password().isEmpty() ? server.user() : server.user() + ":" + server.password();
        return "postgresql://" + auth + "@" + server.host() + ":" + server.port() + "/" + name;
    }

    /** Credentials as JDBC connection properties. */
    public Properties properties() {
        return server.credentials();
    }

    /** A new, unpooled data source; every {@code getConnection()} opens a fresh connection. */
    public DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl());
        ds.setUser(server.user());
        if (!server.password().isEmpty()) {
            ds.setPassword(server.password());
        }
        return ds;
    }

    /** Opens a new connection; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), properties());
    }

    /** Which server the database lives on, e.g. "embedded PostgreSQL (io.zonky.test) at localhost:41234". */
    public String serverDescription() {
        return server.describe();
    }

    @Override
    public String toString() {
        return "TestDatabase[" + name + " on " + server.describe() + "]";
    }
}
