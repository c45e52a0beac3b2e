package org.pgqj.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The queue schema's SQL as text, with every name and durability filled in, for a DBA to review or for
 * another migration tool ({@code pgq sql}). Needs no database.
 *
 * <p>{@link #install()} and {@link #upgrade()} are the same text: every migration is idempotent, so the whole
 * list both creates a schema and converges an older one (as {@code pgq sql upgrade} re-states every object
 * behind IF NOT EXISTS). Each migration is wrapped in its own transaction, as Flyway runs it. Running this text
 * instead of {@link PgqueuerSchema#migrate()} writes no Flyway history; a later {@code migrate()} adopts the
 * objects and re-runs the (idempotent) migrations once.
 */
public final class SchemaSql {

    /** The migration scripts in {@value PgqueuerSchema#LOCATION}, in version order (a test checks Flyway's list). */
    static final List<String> SCRIPTS = List.of("V1__pgqueuer_1_6_0.sql", "V2__pgqueuer_2_0_statistics_created.sql");

    /** The migration scripts of pgqj's control tables in {@value ControlsSchema#LOCATION}, in version order. */
    static final List<String> CONTROLS_SCRIPTS = List.of("V1__paused_entrypoints.sql");

    private final PgqueuerNames names;
    private final Durability durability;

    private SchemaSql(PgqueuerNames names, Durability durability) {
        this.names = Objects.requireNonNull(names, "names");
        this.durability = Objects.requireNonNull(durability, "durability");
    }

    /** The SQL for these names and durability. */
    public static SchemaSql of(PgqueuerNames names, Durability durability) {
        return new SchemaSql(names, durability);
    }

    /** Flyway's placeholders for these names and durability (the migrations' only variables). */
    Map<String, String> placeholders() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("prefix", names.prefix());
        p.put("queue_persistence", durability.queueTablesUnlogged() ? "UNLOGGED" : "");
        p.put("log_persistence", durability.logTablesUnlogged() ? "UNLOGGED" : "");
        p.put("queue_persistence_alter", durability.queueTablesUnlogged() ? "UNLOGGED" : "LOGGED");
        p.put("log_persistence_alter", durability.logTablesUnlogged() ? "UNLOGGED" : "LOGGED");
        return p;
    }

    /** Every migration, in order: creates the schema, or converges an existing one. */
    public String install() {
        StringBuilder sql = new StringBuilder(header("install"));
        if (!PgqueuerNames.DEFAULT_SCHEMA.equals(names.schema())) {
            sql.append("CREATE SCHEMA IF NOT EXISTS ").append(names.schema()).append(";\n\n");
        }
        for (String script : SCRIPTS) {
            sql.append(migration(script)).append('\n');
        }
        return sql.toString();
    }

    /** The same as {@link #install()}: the migrations are idempotent and keep every row. */
    public String upgrade() {
        return install().replaceFirst("-- pgqj sql install", "-- pgqj sql upgrade");
    }

    /** One migration script, placeholders filled in, wrapped in BEGIN/COMMIT. */
    public String migration(String script) {
        if (!SCRIPTS.contains(script)) {
            throw new IllegalArgumentException("Unknown queue schema migration '" + script + "'; known: " + SCRIPTS);
        }
        return wrapped(PgqueuerSchema.LOCATION, script);
    }

    /**
     * pgqj's own control tables ({@link ControlsSchema}: pause and resume), beside pgqueuer's catalog, each migration
     * wrapped in BEGIN/COMMIT. Idempotent; the queue's schema must exist. As with {@link #install()}, no Flyway
     * history is written: a later {@link ControlsSchema#install()} adopts the table.
     */
    public String controls() {
        StringBuilder sql = new StringBuilder("-- pgqj sql controls: pgqj's control tables (pause, resume) in schema '"
                + names.schema() + "', prefix '" + names.prefix() + "', beside pgqueuer's catalog\n\n");
        for (String script : CONTROLS_SCRIPTS) {
            sql.append(wrapped(ControlsSchema.LOCATION, script));
        }
        return sql.toString();
    }

    /** Drops pgqj's control tables and their history table, as {@link ControlsSchema#uninstall()}. */
    public String controlsUninstall() {
        return "-- pgqj sql uninstall --controls: pgqj's control tables in schema '" + names.schema() + "', prefix '"
                + names.prefix() + "'\n\nBEGIN;\n" + String.join(";\n", controlsUninstallStatements()) + ";\nCOMMIT;\n";
    }

    List<String> controlsUninstallStatements() {
        return List.of("DROP TABLE IF EXISTS " + names.qualified(names.pausedEntrypointsTable()),
                "DROP TABLE IF EXISTS " + names.qualified(names.controlsHistoryTable()));
    }

    /** Drops every queue object (and the Flyway history table), as {@link PgqueuerSchema#uninstall()}. */
    public String uninstall() {
        return header("uninstall") + "BEGIN;\n" + String.join(";\n", uninstallStatements()) + ";\nCOMMIT;\n";
    }

    /** Switches the tables to this durability, as {@link PgqueuerSchema#alterDurability()}. */
    public String durability() {
        return header("durability " + durability.cliName()) + "BEGIN;\n" + String.join(";\n", durabilityStatements())
                + ";\nCOMMIT;\n";
    }

    /** pgqueuer's recommended autovacuum settings, or their reset when {@code rollback}. */
    public String autovac(boolean rollback) {
        return header("autovac" + (rollback ? " --rollback" : "")) + String.join(";\n", autovacStatements(rollback))
                + ";\n";
    }

    List<String> uninstallStatements() {
        return List.of("DROP TABLE IF EXISTS " + names.qualified(names.queueTable()) + ", "
                        + names.qualified(names.logTable()) + ", " + names.qualified(names.statisticsTable()) + ", "
                        + names.qualified(names.schedulesTable()) + ", " + names.qualified(names.historyTable()),
                "DROP FUNCTION IF EXISTS " + names.qualified(names.triggerFunction()) + "()",
                "DROP TYPE IF EXISTS " + names.qualified(names.statusType()));
    }

    List<String> durabilityStatements() {
        String queue = durability.queueTablesUnlogged() ? "UNLOGGED" : "LOGGED";
        String log = durability.logTablesUnlogged() ? "UNLOGGED" : "LOGGED";
        return List.of("ALTER TABLE " + names.qualified(names.queueTable()) + " SET " + queue,
                "ALTER TABLE " + names.qualified(names.schedulesTable()) + " SET " + queue,
                "ALTER TABLE " + names.qualified(names.logTable()) + " SET " + log,
                "ALTER TABLE " + names.qualified(names.statisticsTable()) + " SET " + log);
    }

    /**
     * The storage parameters pgqueuer's {@code pgq autovac} sets (1.6.0's values): the queue and schedules
     * tables are vacuumed early and often with room for HOT updates; the append-mostly log and statistics rarely.
     */
    List<String> autovacStatements(boolean rollback) {
        String busy = "autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000, "
                + "autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500, "
                + "autovacuum_vacuum_cost_limit = 10000, autovacuum_vacuum_cost_delay = 0, fillfactor = 70";
        String appendOnly = "autovacuum_vacuum_scale_factor = 0.95, autovacuum_vacuum_threshold = 1000000, "
                + "autovacuum_analyze_scale_factor = 0.05, autovacuum_analyze_threshold = 10000";
        List<String> out = new ArrayList<>();
        for (String table : List.of(names.queueTable(), names.schedulesTable())) {
            out.add("ALTER TABLE " + names.qualified(table) + (rollback ? " RESET (" + keys(busy) + ")" : " SET (" + busy + ")"));
        }
        for (String table : List.of(names.logTable(), names.statisticsTable())) {
            out.add("ALTER TABLE " + names.qualified(table)
                    + (rollback ? " RESET (" + keys(appendOnly) + ")" : " SET (" + appendOnly + ")"));
        }
        return out;
    }

    private static String keys(String settings) {
        return settings.replaceAll(" = [0-9.]+", "");
    }

    private String header(String what) {
        return "-- pgqj sql " + what + ": pgqueuer schema in schema '" + names.schema() + "', prefix '"
                + names.prefix() + "', " + durability.cliName() + "\n\n";
    }

    /** One migration of {@code location}, placeholders filled in, in its own transaction as Flyway runs it. */
    private String wrapped(String location, String script) {
        return "-- " + script + "\nBEGIN;\n" + render(resource(location, script)).strip() + "\nCOMMIT;\n";
    }

    private String render(String script) {
        String sql = script.replace("${flyway:defaultSchema}", names.schema());
        for (Map.Entry<String, String> p : placeholders().entrySet()) {
            sql = sql.replace("${" + p.getKey() + "}", p.getValue());
        }
        return sql.replace("CREATE  TABLE", "CREATE TABLE"); // an empty persistence placeholder leaves two spaces
    }

    private static String resource(String location, String script) {
        String path = location.substring("classpath:".length()) + "/" + script;
        try (InputStream in = SchemaSql.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("Migration " + path + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
