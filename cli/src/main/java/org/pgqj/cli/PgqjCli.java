package org.pgqj.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.pgqj.connect.ConnectionUrl;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.schema.SchemaVerification;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code pgqj}: the Java twin of pgqueuer's {@code pgq}, reading the same settings ({@code --pg-dsn} or
 * {@code DATABASE_URL} / {@code PGDSN}; {@code --prefix} or {@code PGQUEUER_PREFIX}; {@code --schema} or
 * {@code PGQUEUER_SCHEMA}).
 */
@Command(name = "pgqj", mixinStandardHelpOptions = true, versionProvider = PgqjCli.Version.class,
        // -h/--help and -V/--version on every command and subcommand, not only here
        scope = ScopeType.INHERIT,
        description = "Manage and run a pgqueuer job queue from Java (the twin of pgqueuer's `pgq`).",
        subcommands = {SchemaCommands.Install.class, SchemaCommands.Upgrade.class, SchemaCommands.Uninstall.class,
                SchemaCommands.Verify.class, QueueCommands.Queue.class, QueueCommands.Failed.class,
                QueueCommands.Requeue.class, QueueCommands.Cancel.class, QueueCommands.SchedulesCommand.class,
                ControlCommands.Pause.class, ControlCommands.Resume.class,
                ListenCommand.class, DashboardCommand.class, RunCommand.class, MetricsCommand.class,
                WebCommand.class,
                InspectCommands.Stale.class, InspectCommands.Workers.class, InspectCommands.Backlog.class,
                InspectCommands.Size.class, InspectCommands.Throughput.class, InspectCommands.Log.class,
                InspectCommands.Jobs.class, InspectCommands.Tables.class, SqlCommand.class,
                MaintenanceCommands.DurabilityCommand.class, MaintenanceCommands.Autovac.class,
                MaintenanceCommands.Prune.class, ContractCommand.class, DoctorCommand.class})
public final class PgqjCli implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--pg-dsn", paramLabel = "URL",
            description = "Database URL (postgresql://, postgresql+asyncpg://, jdbc:postgresql://, ...) or libpq "
                    + "keyword/value string (host=... port=... dbname=... user=...). "
                    + "Default: $DATABASE_URL, then $PGQUEUER_DSN, then $PGDSN.")
    String dsn;

    @Option(names = "--prefix", paramLabel = "PREFIX", defaultValue = "${env:PGQUEUER_PREFIX:-}",
            description = "Name prefix of the pgqueuer objects (default: $PGQUEUER_PREFIX, else none).")
    String prefix;

    @Option(names = "--schema", paramLabel = "SCHEMA", defaultValue = "${env:PGQUEUER_SCHEMA:-public}",
            description = "Schema of the pgqueuer objects (default: $PGQUEUER_SCHEMA, else public).")
    String schema;

    private DataSource dataSource;

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        // jOOQ prints a banner and a tip on first use; a command-line tool's output has no room for them.
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (0 ok, 1 failed check or error, 2 bad usage). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The whole command tree, configured as {@link #execute} runs it. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new PgqjCli());
        addHelpCommands(cli);
        // `--schema jobs` names a schema, not the `jobs` command
        cli.setAllowSubcommandsAsOptionParameters(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("pgqj: " + CliErrors.oneLine(e));
            return 1;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code pgqj help CMD}, and {@code pgqj sql help CMD} under every command that has subcommands. */
    private static void addHelpCommands(CommandLine command) {
        if (command.getSubcommands().isEmpty()) {
            return;
        }
        List.copyOf(command.getSubcommands().values()).forEach(PgqjCli::addHelpCommands);
        command.addSubcommand("help", new HelpCommand());
    }

    /** {@code pgqj VERSION}, the version Maven packaged (its pom.properties travel in the jar). */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties pom = new Properties();
            try (InputStream in = PgqjCli.class.getResourceAsStream("/META-INF/maven/org.pgqj/pgqj-cli/pom.properties")) {
                if (in != null) {
                    pom.load(in);
                }
            }
            return new String[] {"pgqj " + pom.getProperty("version", "(version unknown: not run from the packaged jar)")};
        }
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Notes and summaries go to stderr, so stdout stays a clean document (SQL, JSON) to redirect. */
    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** The install's names, validated. */
    PgqueuerNames names() {
        try {
            return new PgqueuerNames(prefix == null ? "" : prefix.trim(), schema == null || schema.isBlank()
                    ? PgqueuerNames.DEFAULT_SCHEMA : schema.trim().toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
    }

    QueueTables tables() {
        return QueueTables.of(names());
    }

    PgqueuerSchema schema() {
        return PgqueuerSchema.forDataSource(dataSource()).names(names());
    }

    /** A data source for the database URL, checked by connecting once (a clear error when unreachable). */
    DataSource dataSource() {
        if (dataSource == null) {
            ConnectionUrl url = dsn != null && !dsn.isBlank() ? ConnectionUrl.parse(dsn)
                    : ConnectionUrl.fromEnvironment().orElseThrow(() -> new CliException(
                            "No database URL: pass --pg-dsn URL or set DATABASE_URL (or PGQUEUER_DSN, or PGDSN)"));
            DataSource ds = url.dataSource();
            try (Connection ignored = ds.getConnection()) {
                // reachable
            } catch (SQLException e) {
                throw new CliException("Cannot connect to PostgreSQL at " + url.jdbcUrl().replace("jdbc:postgresql://", "")
                        + (url.user().map(u -> " as user " + u).orElse("")) + ": " + CliErrors.firstLine(e.getMessage()));
            }
            dataSource = ds;
        }
        return dataSource;
    }

    /** The data source, after checking that the queue schema is installed. */
    DataSource installedDataSource() {
        DataSource ds = dataSource();
        SchemaVerification verification = schema().verify();
        if (verification.isAbsent()) {
            throw new CliException("The pgqueuer schema is not installed in schema '" + names().schema()
                    + "' (prefix '" + names().prefix() + "'): run `pgqj install` first");
        }
        if (!verification.isComplete()) {
            throw new CliException("The pgqueuer schema is incomplete (missing " + String.join(", ", verification.missing())
                    + "): run `pgqj upgrade`");
        }
        return ds;
    }
}
