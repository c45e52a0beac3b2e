package org.pgqj.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.pgqj.internal.compat.DependencyVersions;
import org.pgqj.internal.compat.DependencyVersions.Library;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pgqj's own control tables (today: {@code <prefix>pgqj_paused_entrypoints}, the entrypoints paused for Java
 * workers), beside pgqueuer's catalog and never in it: Flyway location {@value #LOCATION}, history table
 * {@code <prefix>pgqj_controls_history}, in the queue's schema.
 *
 * <p>An explicit install step, never created on first use: an incident is the wrong moment for DDL, and an
 * application's role often may not create tables. Workers treat a missing table as "nothing paused".
 * <pre>{@code
 * ControlsSchema.forDataSource(dataSource).names(PgqueuerNames.defaults()).install();
 * }</pre>
 */
public final class ControlsSchema {

    /** The Flyway location of the control tables' migrations. */
    public static final String LOCATION = "classpath:db/pgqj_controls";

    private static final Logger LOG = LoggerFactory.getLogger(ControlsSchema.class);

    private final DataSource dataSource;
    private final PgqueuerNames names;

    private ControlsSchema(DataSource dataSource, PgqueuerNames names) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.names = Objects.requireNonNull(names, "names");
    }

    /**
     * The control tables in {@code dataSource}, for the default install (no prefix, schema {@code public}).
     *
     * @throws org.pgqj.compat.UnsupportedDependencyException when Flyway or the JDBC driver on the class path is
     *         older than supported
     */
    public static ControlsSchema forDataSource(DataSource dataSource) {
        DependencyVersions.requireSupported(Library.FLYWAY, Library.PGJDBC);
        return new ControlsSchema(dataSource, PgqueuerNames.defaults());
    }

    /** The pgqueuer install (prefix and schema) these controls belong to. */
    public ControlsSchema names(PgqueuerNames names) {
        return new ControlsSchema(dataSource, names);
    }

    /** The prefix and schema in use. */
    public PgqueuerNames names() {
        return names;
    }

    /** The Flyway instance of the control tables, for callers that want {@code info()} or {@code validate()}. */
    public Flyway flyway() {
        // the queue's schema already holds pgqueuer's tables (and their history): Flyway refuses a non-empty schema
        // without this location's own history table unless it starts one at version 0
        return PgqueuerSchema.flyway(dataSource, names, LOCATION, names.controlsHistoryTable(),
                "pgqj controls: history started", Map.of("prefix", names.prefix()));
    }

    /**
     * Creates or upgrades the control tables (idempotent). Needs the right to create tables in the queue's schema.
     *
     * @throws PgqueuerSchemaException when the database cannot be reached or a migration fails
     */
    public MigrationResult install() {
        try {
            MigrateResult result = flyway().migrate();
            String version = result.targetSchemaVersion != null ? result.targetSchemaVersion
                    : result.initialSchemaVersion;
            LOG.info("pgqj control tables in '{}' (prefix '{}') at version {}: {} migration(s) applied",
                    names.schema(), names.prefix(), version, result.migrationsExecuted);
            return new MigrationResult(result.migrationsExecuted, version, false);
        } catch (FlywayException e) {
            throw new PgqueuerSchemaException("Could not install the pgqj control tables in schema '" + names.schema()
                    + "' (prefix '" + names.prefix() + "'): " + e.getMessage(), e);
        }
    }

    /**
     * Whether the paused-entrypoints table exists (reads the catalog only).
     *
     * @throws PgqueuerSchemaException when the database cannot be reached
     */
    public boolean isInstalled() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, names.qualified(names.pausedEntrypointsTable()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new PgqueuerSchemaException("Could not read whether the pgqj control tables are installed: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Drops the control tables and their history table: every fleet-wide pause is lifted (workers then see nothing
     * paused at their next re-read). pgqueuer's catalog is not touched.
     *
     * @throws PgqueuerSchemaException when the database refuses
     */
    public void uninstall() {
        try (Connection c = dataSource.getConnection(); var st = c.createStatement()) {
            c.setAutoCommit(false);
            // DDL: names come from PgqueuerNames, validated as plain identifiers
            for (String statement : SchemaSql.of(names, Durability.DURABLE).controlsUninstallStatements()) {
                st.execute(statement);
            }
            c.commit();
            LOG.info("Uninstalled the pgqj control tables in '{}' (prefix '{}')", names.schema(), names.prefix());
        } catch (SQLException e) {
            throw new PgqueuerSchemaException("Could not uninstall the pgqj control tables: " + e.getMessage(), e);
        }
    }
}
