package org.pgqj.core;

import java.util.Objects;
import javax.sql.DataSource;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.MappedSchema;
import org.jooq.conf.MappedTable;
import org.jooq.conf.RenderMapping;
import org.jooq.conf.Settings;
import org.jooq.conf.SettingsTools;
import org.jooq.impl.DSL;
import org.pgqj.internal.compat.DependencyVersions;
import org.pgqj.internal.compat.DependencyVersions.Library;
import org.pgqj.schema.PgqueuerNames;

/**
 * Points the generated jOOQ classes ({@code org.pgqj.codegen}) at one pgqueuer install: its schema and
 * prefix, through jOOQ's render mapping. Every query of the library goes through a {@link DSLContext}
 * made here, so the same classes serve {@code public.pgqueuer} and {@code jobs.acme_pgqueuer}.
 *
 * <p>Immutable and thread-safe; build one per install and share it. Creating one checks the versions of jOOQ,
 * Flyway, Jackson and the JDBC driver on the class path (Micrometer and OpenTelemetry too with pgqj-metrics or
 * pgqj-tracing there), and throws {@link org.pgqj.compat.UnsupportedDependencyException} for one older than supported.
 */
public final class QueueTables {

    private final PgqueuerNames names;
    private final RenderMapping mapping;

    private QueueTables(PgqueuerNames names) {
        // Before any generated class loads: an older jOOQ fails here with one clear message, not a NoSuchMethodError.
        DependencyVersions.requireSupported(Library.JOOQ, Library.FLYWAY, Library.JACKSON, Library.PGJDBC);
        DependencyVersions.requireSupportedForOptionalModules();
        this.names = Objects.requireNonNull(names, "names");
        this.mapping = new RenderMapping().withSchemata(new MappedSchema()
                .withInput("public") // the schema the classes were generated in; CTE names stay unqualified
                .withOutput(names.schema())
                .withTables(
                        table("pgqueuer", names.queueTable()),
                        table("pgqueuer_log", names.logTable()),
                        table("pgqueuer_statistics", names.statisticsTable()),
                        table("pgqueuer_schedules", names.schedulesTable())));
    }

    private static MappedTable table(String generated, String actual) {
        return new MappedTable().withInput(generated).withOutput(actual);
    }

    /** The install with no prefix in schema {@code public}. */
    public static QueueTables defaults() {
        return new QueueTables(PgqueuerNames.defaults());
    }

    /** The install with these names. */
    public static QueueTables of(PgqueuerNames names) {
        return new QueueTables(names);
    }

    /**
     * The install named by {@code PGQUEUER_PREFIX} and {@code PGQUEUER_SCHEMA} in the environment, as
     * Python's pgqueuer reads them (unset means no prefix, schema {@code public}).
     */
    public static QueueTables fromEnvironment() {
        String prefix = System.getenv().getOrDefault("PGQUEUER_PREFIX", "");
        String schema = System.getenv().getOrDefault("PGQUEUER_SCHEMA", "");
        return new QueueTables(new PgqueuerNames(prefix, schema.isBlank() ? PgqueuerNames.DEFAULT_SCHEMA : schema.trim().toLowerCase()));
    }

    /** The prefix and schema. */
    public PgqueuerNames names() {
        return names;
    }

    /** The NOTIFY channel of this install. */
    public String channel() {
        return names.channel();
    }

    /** Copy of {@code base} with this install's render mapping; the caller's other settings are kept. */
    public Settings settings(Settings base) {
        Settings copy = SettingsTools.clone(base == null ? new Settings() : base);
        return copy.withRenderMapping(mapping);
    }

    /**
     * A {@link DSLContext} on the caller's configuration (its connection, and so its transaction) that
     * renders this install's names. Nothing is opened or committed here.
     */
    public DSLContext dsl(Configuration caller) {
        Objects.requireNonNull(caller, "configuration");
        return DSL.using(caller.derive(settings(caller.settings())));
    }

    /** As {@link #dsl(Configuration)}, for a caller's {@link DSLContext}. */
    public DSLContext dsl(DSLContext caller) {
        return dsl(Objects.requireNonNull(caller, "dsl").configuration());
    }

    /** A {@link DSLContext} on a data source; each statement borrows a connection in auto-commit. */
    public DSLContext dsl(DataSource dataSource) {
        return DSL.using(Objects.requireNonNull(dataSource, "dataSource"), SQLDialect.POSTGRES, settings(null));
    }

    @Override
    public String toString() {
        return "QueueTables[" + names.qualified(names.queueTable()) + ", channel " + names.channel() + "]";
    }
}
