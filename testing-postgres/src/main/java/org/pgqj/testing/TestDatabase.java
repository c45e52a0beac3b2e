package org.pgqj.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A database of its own for one test class, on the server {@link PostgresExtension} found.
 * It exists from before the class's first test until after its last, then is dropped.
 * {@link #create} makes one outside JUnit's lifecycle (a Spring test context's), dropped with {@link #drop()}.
 */
public final class TestDatabase {

    private static final Logger LOG = LoggerFactory.getLogger(TestDatabase.class);

    private final PostgresServer server;
    private final String name;

    TestDatabase(PostgresServer server, String name) {
        this.server = server;
        this.name = name;
    }

    /**
     * A new, empty database on the tests' server (found as {@link PostgresExtension} says), named
     * {@code pgqj_<label>_<random>} from the letters and digits of {@code label}.
     *
     * @throws IllegalStateException when the server refuses the database, with its message
     */
    public static TestDatabase create(String label) {
        PostgresServer server = PostgresServers.shared();
        String simple = label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        String name = "pgqj_" + simple.substring(0, Math.min(simple.length(), 40)) + "_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (var admin = server.connectAdmin(); Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + name); // name is built from [a-z0-9_] only
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create test database " + name + " on " + server.describe()
                    + ": " + e.getMessage(), e);
        }
        LOG.debug("Created test database {}", name);
        return new TestDatabase(server, name);
    }

    /** Drops the database, closing its open connections; a failure is logged, not thrown (it is clean-up). */
    public void drop() {
        try (var admin = server.connectAdmin(); Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            LOG.warn("Could not drop test database {}: {}", name, e.getMessage());
        }
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
