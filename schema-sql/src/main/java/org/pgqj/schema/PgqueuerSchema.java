package org.pgqj.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.pgqj.internal.compat.DependencyVersions;
import org.pgqj.internal.compat.DependencyVersions.Library;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pgqueuer schema (queue, log, statistics and schedules tables, status enum, NOTIFY trigger) as
 * Flyway migrations in {@value #LOCATION}, with their own history table
 * ({@code <prefix>pgqueuer_schema_history}) so they never mix with an application's own migrations.
 *
 * <p>Immutable; each setter returns a copy:
 * <pre>{@code
 * PgqueuerSchema.forDataSource(dataSource)
 *         .prefix("acme_").schema("jobs").durability(Durability.BALANCED)
 *         .migrate();
 * }</pre>
 *
 * <p>Migrating a database where Python's {@code pgq install} already created the objects adopts them:
 * the migrations are idempotent, keep every row, and add whatever a newer pgqueuer has.
 */
public final class PgqueuerSchema {

    /** The Flyway location of the queue schema's migrations. */
    public static final String LOCATION = "classpath:db/pgqueuer";

    private static final Logger LOG = LoggerFactory.getLogger(PgqueuerSchema.class);

    private final DataSource dataSource;
    private final PgqueuerNames names;
    private final Durability durability;

    private PgqueuerSchema(DataSource dataSource, PgqueuerNames names, Durability durability) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.names = Objects.requireNonNull(names, "names");
        this.durability = Objects.requireNonNull(durability, "durability");
    }

    /**
     * The schema in {@code dataSource}, with no prefix, schema {@code public}, durability durable.
     *
     * @throws org.pgqj.compat.UnsupportedDependencyException when Flyway or the JDBC driver on the class path is
     *         older than supported
     */
    public static PgqueuerSchema forDataSource(DataSource dataSource) {
        DependencyVersions.requireSupported(Library.FLYWAY, Library.PGJDBC);
        return new PgqueuerSchema(dataSource, PgqueuerNames.defaults(), Durability.DURABLE);
    }

    /**
     * The name prefix, as {@code PGQUEUER_PREFIX}.
     *
     * @throws IllegalArgumentException when it is not a lower-case identifier
     */
    public PgqueuerSchema prefix(String prefix) {
        return new PgqueuerSchema(dataSource, new PgqueuerNames(prefix, names.schema()), durability);
    }

    /**
     * The schema the objects live in, as {@code PGQUEUER_SCHEMA}; created by {@link #migrate()} if absent.
     *
     * @throws IllegalArgumentException when it is not a lower-case identifier
     */
    public PgqueuerSchema schema(String schema) {
        return new PgqueuerSchema(dataSource, new PgqueuerNames(names.prefix(), schema), durability);
    }

    /** Prefix and schema at once. */
    public PgqueuerSchema names(PgqueuerNames names) {
        return new PgqueuerSchema(dataSource, names, durability);
    }

    /** Which tables are UNLOGGED, as {@code pgq install --durability}. */
    public PgqueuerSchema durability(Durability durability) {
        return new PgqueuerSchema(dataSource, names, durability);
    }

    /** The prefix and schema in use. */
    public PgqueuerNames names() {
        return names;
    }

    /** The durability in use. */
    public Durability durability() {
        return durability;
    }

    /** The Flyway instance for the queue schema, for callers that want {@code info()} or {@code validate()}. */
    public Flyway flyway() {
        // A schema that Python's `pgq install` filled has no history table: adopt it at version 0,
        // so the idempotent V1 still runs and converges it.
        return flyway(dataSource, names, LOCATION, names.historyTable(), "pgqueuer objects found without a history table",
                SchemaSql.of(names, durability).placeholders());
    }

    /**
     * A Flyway of one of this module's locations, with its own history table in the queue's schema, started at version
     * 0 over a schema that already holds objects (its baseline), never cleaned: the queue schema's and pgqj's controls'.
     */
    static Flyway flyway(DataSource dataSource, PgqueuerNames names, String location, String historyTable,
                         String baselineDescription, Map<String, String> placeholders) {
        return Flyway.configure(PgqueuerSchema.class.getClassLoader())
                .dataSource(dataSource)
                .locations(location)
                .failOnMissingLocations(true)
                .table(historyTable)
                .schemas(names.schema())
                .defaultSchema(names.schema())
                .createSchemas(true)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .baselineDescription(baselineDescription)
                .placeholders(placeholders)
                .cleanDisabled(true)
                .load();
    }

    /**
     * Creates or upgrades the queue schema to the pgqueuer 1.6.0 catalog plus the statistics index of 2.0
     * ({@code <prefix>pgqueuer_statistics_created}, definition inferred).
     *
     * @throws PgqueuerSchemaException when the database cannot be reached or a migration fails
     */
    public MigrationResult migrate() {
        boolean adopting = exists(names.queueTable()) && !exists(names.historyTable());
        try {
            MigrateResult result = flyway().migrate();
            String version = result.targetSchemaVersion != null ? result.targetSchemaVersion
                    : result.initialSchemaVersion;
            if (adopting) {
                LOG.info("Adopted the pgqueuer install in schema '{}' (prefix '{}') that had no history table",
                        names.schema(), names.prefix());
            }
            LOG.info("pgqueuer schema in '{}' (prefix '{}') at version {}: {} migration(s) applied",
                    names.schema(), names.prefix(), version, result.migrationsExecuted);
            return new MigrationResult(result.migrationsExecuted, version, adopting);
        } catch (FlywayException e) {
            throw new PgqueuerSchemaException("Could not migrate the pgqueuer schema in schema '" + names.schema()
                    + "' (prefix '" + names.prefix() + "'): " + e.getMessage(), e);
        }
    }

    /**
     * Lists which objects of the schema (1.6.0 plus 2.0's statistics index) exist and which are missing. Reads the catalog only.
     *
     * @throws PgqueuerSchemaException when the database cannot be reached
     */
    public SchemaVerification verify() {
        List<String> missing = new ArrayList<>();
        List<String> present = new ArrayList<>();
        try (Connection c = connect()) {
            String type = names.qualified(names.statusType());
            Set<String> labels = strings(c, "SELECT e.enumlabel FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                    + "JOIN pg_enum e ON e.enumtypid = t.oid WHERE n.nspname = ? AND t.typname = ?", names.schema(), names.statusType());
            boolean typeExists = !strings(c, "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                    + "WHERE n.nspname = ? AND t.typname = ?", names.schema(), names.statusType()).isEmpty();
            (typeExists ? present : missing).add("type " + type);
            if (typeExists) {
                for (String label : ExpectedObjects.STATUS_LABELS) {
                    (labels.contains(label) ? present : missing).add("enum label " + type + "." + label);
                }
            }
            for (String base : ExpectedObjects.TABLES) {
                String table = names.prefix() + base;
                Set<String> columns = strings(c, "SELECT column_name FROM information_schema.columns "
                        + "WHERE table_schema = ? AND table_name = ?", names.schema(), table);
                boolean tableExists = !columns.isEmpty();
                (tableExists ? present : missing).add("table " + names.qualified(table));
                if (tableExists) {
                    for (String column : ExpectedObjects.TABLE_COLUMNS.get(base)) {
                        (columns.contains(column) ? present : missing).add("column " + names.qualified(table) + "." + column);
                    }
                }
            }
            Set<String> indexes = strings(c, "SELECT indexname FROM pg_indexes WHERE schemaname = ?", names.schema());
            for (String base : ExpectedObjects.INDEXES) {
                String index = names.prefix() + base;
                (indexes.contains(index) ? present : missing).add("index " + names.qualified(index));
            }
            boolean function = !strings(c, "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    + "WHERE n.nspname = ? AND p.proname = ?", names.schema(), names.triggerFunction()).isEmpty();
            (function ? present : missing).add("function " + names.qualified(names.triggerFunction()));
            boolean trigger = !strings(c, "SELECT t.tgname FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid "
                    + "JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = ? AND r.relname = ? AND t.tgname = ?",
                    names.schema(), names.queueTable(), names.trigger()).isEmpty();
            (trigger ? present : missing).add("trigger " + names.trigger() + " on " + names.qualified(names.queueTable()));
        } catch (SQLException e) {
            throw new PgqueuerSchemaException("Could not read the catalog to verify the pgqueuer schema: " + e.getMessage(), e);
        }
        return new SchemaVerification(names, missing, present);
    }

    /**
     * Drops every queue object of this prefix and schema, and the queue schema's history table.
     * <strong>Every job, log row, statistic and schedule in them is deleted for good</strong>, for Python
     * and Java alike. Other objects in the schema, and the schema itself, stay. Fails (and drops nothing)
     * when an application object depends on a queue table.
     *
     * @throws PgqueuerSchemaException when the database refuses
     */
    public void uninstall() {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            // DDL: names come from PgqueuerNames, validated as plain identifiers.
            for (String sql : SchemaSql.of(names, durability).uninstallStatements()) {
                st.execute(sql);
            }
            c.commit();
            LOG.info("Uninstalled the pgqueuer schema in '{}' (prefix '{}')", names.schema(), names.prefix());
        } catch (SQLException e) {
            throw new PgqueuerSchemaException("Could not uninstall the pgqueuer schema in schema '" + names.schema()
                    + "' (prefix '" + names.prefix() + "'): " + e.getMessage(), e);
        }
    }

    /**
     * Changes which tables are UNLOGGED on an installed schema, as {@code pgq alter-durability}; the
     * migrations only apply durability when they run. Rewrites the tables under an exclusive lock.
     */
    public void alterDurability() {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            for (String sql : SchemaSql.of(names, durability).durabilityStatements()) {
                st.execute(sql);
            }
            c.commit();
            LOG.info("pgqueuer schema in '{}' (prefix '{}') is now {}", names.schema(), names.prefix(), durability.cliName());
        } catch (SQLException e) {
            throw new PgqueuerSchemaException("Could not change durability to " + durability.cliName() + ": "
                    + e.getMessage() + ". Is the schema installed?", e);
        }
    }

    /**
     * Applies pgqueuer's recommended autovacuum settings to the four tables, or resets them to the server's
     * defaults when {@code rollback} ({@code pgq autovac [--rollback]}). Changes storage parameters only.
     */
    public void optimizeAutovacuum(boolean rollback) {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            for (String sql : SchemaSql.of(names, durability).autovacStatements(rollback)) {
                st.execute(sql);
            }
            c.commit();
            LOG.info("{} autovacuum settings of the pgqueuer tables in '{}' (prefix '{}')",
                    rollback ? "Reset" : "Applied recommended", names.schema(), names.prefix());
        } catch (SQLException e) {
            throw new PgqueuerSchemaException("Could not " + (rollback ? "reset" : "set") + " the autovacuum settings: "
                    + e.getMessage() + ". Is the schema installed?", e);
        }
    }

    /**
     * The migrations {@link #migrate()} would run now, in order (script names such as
     * {@code V2__pgqueuer_2_0_statistics_created.sql}); empty when the schema is up to date. Applies nothing.
     * An install without a history table (made by Python's {@code pgq install}) lists every migration, as
     * {@code migrate()} would run them all (they are idempotent).
     *
     * @throws PgqueuerSchemaException when the database cannot be reached
     */
    public List<String> pendingMigrations() {
        try {
            List<String> pending = new ArrayList<>();
            for (var info : flyway().info().pending()) {
                pending.add(info.getScript());
            }
            return pending;
        } catch (FlywayException e) {
            throw new PgqueuerSchemaException("Could not read the migration state of the pgqueuer schema in schema '"
                    + names.schema() + "' (prefix '" + names.prefix() + "'): " + e.getMessage(), e);
        }
    }

    private boolean exists(String table) {
        try (Connection c = connect()) {
            return !strings(c, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    + "WHERE n.nspname = ? AND c.relname = ?", names.schema(), table).isEmpty();
        } catch (SQLException e) {
            throw new PgqueuerSchemaException("Could not connect to the database to migrate the pgqueuer schema: "
                    + e.getMessage(), e);
        }
    }

    private Connection connect() throws SQLException {
        return dataSource.getConnection();
    }

    private static Set<String> strings(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            Set<String> out = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }
}
