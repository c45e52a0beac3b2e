package org.pgqj.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.pgqj.connect.ConnectionUrl;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.Durability;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;

/**
 * Where a benchmark runs: a PostgreSQL (from {@code --database-url} or {@code DATABASE_URL}, or an embedded one)
 * and a fresh pgqueuer install in a schema of its own, {@code pgqj_bench_<random>} (with the run's
 * {@link Durability}), dropped again on close. A child worker process ({@code --processes}) attaches to its
 * parent's schema instead, and leaves it to the parent.
 */
final class BenchDatabase implements AutoCloseable {

    private final DataSource dataSource;
    private final Optional<EmbeddedPostgres> embedded;
    private final String description;
    private final QueueTables tables;
    private final Thread cleanup;
    private final boolean attached;
    private boolean closed;

    private BenchDatabase(DataSource dataSource, Optional<EmbeddedPostgres> embedded, String description,
                          Durability durability) {
        this.dataSource = dataSource;
        this.embedded = embedded;
        this.description = description;
        this.attached = false;
        String schema = "pgqj_bench_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        PgqueuerSchema install = PgqueuerSchema.forDataSource(dataSource).schema(schema).durability(durability);
        try {
            install.migrate();
        } catch (RuntimeException e) {
            dropSchema(schema);
            throw e;
        }
        this.tables = QueueTables.of(new PgqueuerNames("", schema));
        // an interrupted run (Ctrl-C) still drops its schema and stops an embedded server
        this.cleanup = new Thread(this::closeQuietly, "pgqj-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    private BenchDatabase(DataSource dataSource, String description, String schema) {
        this.dataSource = dataSource;
        this.embedded = Optional.empty();
        this.description = description;
        this.attached = true;
        this.tables = QueueTables.of(new PgqueuerNames("", schema));
        this.cleanup = null;
    }

    /**
     * The database of {@code url}, else of {@code DATABASE_URL} (or {@code PGQUEUER_DSN}, {@code PGDSN}); else an
     * embedded PostgreSQL.
     */
    static BenchDatabase open(Optional<String> given, Durability durability) throws IOException {
        Optional<ConnectionUrl> url = given.isPresent() ? given.map(ConnectionUrl::parse) : ConnectionUrl.fromEnvironment();
        if (url.isPresent()) {
            return new BenchDatabase(url.get().dataSource(), Optional.empty(), url.get().jdbcUrl(), durability);
        }
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        try {
            return new BenchDatabase(pg.getPostgresDatabase(), Optional.of(pg),
                    "embedded PostgreSQL on port " + pg.getPort(), durability);
        } catch (RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    /**
     * A child worker process's view of its parent's install {@code schema} on the database of {@code url} (else of
     * the environment, as the parent's): nothing installed, nothing dropped.
     */
    static BenchDatabase attach(Optional<String> given, String schema) {
        ConnectionUrl url = (given.isPresent() ? given.map(ConnectionUrl::parse) : ConnectionUrl.fromEnvironment())
                .orElseThrow(() -> new IllegalArgumentException("A worker process needs --database-url or DATABASE_URL"));
        return new BenchDatabase(url.dataSource(), url.jdbcUrl(), schema);
    }

    /** A caller's database (tests). */
    static BenchDatabase on(DataSource dataSource, String description, Durability durability) {
        return new BenchDatabase(dataSource, Optional.empty(), description, durability);
    }

    DataSource dataSource() {
        return dataSource;
    }

    QueueTables tables() {
        return tables;
    }

    String description() {
        return description;
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException e) {
            System.err.println("pgqj-bench: cleanup failed: " + e.getMessage());
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (attached) {
            return;
        }
        if (Thread.currentThread() != cleanup) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException ignored) {
                // the JVM is shutting down: the hook runs close() itself
            }
        }
        try {
            dropSchema(tables.names().schema());
        } finally {
            if (embedded.isPresent()) {
                embedded.get().close();
            }
        }
    }

    private void dropSchema(String schema) {
        // DDL on the benchmark's own scratch schema (its name is validated by PgqueuerNames), not queue SQL:
        // jOOQ has no part in it, and CASCADE takes the tables, type, trigger function and history with it.
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not drop the benchmark schema " + schema + ": " + e.getMessage()
                    + "; drop it by hand with DROP SCHEMA " + schema + " CASCADE", e);
        }
    }
}
