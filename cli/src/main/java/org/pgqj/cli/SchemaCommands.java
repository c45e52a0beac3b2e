package org.pgqj.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.pgqj.schema.ControlsSchema;
import org.pgqj.schema.Durability;
import org.pgqj.schema.MigrationResult;
import org.pgqj.schema.SchemaSql;
import org.pgqj.schema.SchemaVerification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** install, upgrade, uninstall, verify: the queue schema through PgqueuerSchema (its own Flyway location). */
final class SchemaCommands {

    private SchemaCommands() {
    }

    @Command(name = "install", description = "Create the pgqueuer schema (Flyway location db/pgqueuer, own history table).")
    static final class Install implements Callable<Integer> {
        @ParentCommand
        PgqjCli root;

        @Option(names = "--durability", defaultValue = "durable", paramLabel = "LEVEL",
                description = "durable (default), balanced (log and statistics UNLOGGED) or volatile (all UNLOGGED).")
        String durability;

        @Option(names = "--controls", description = "Also install pgqj's own control tables (pause and resume; "
                + "Flyway location db/pgqj_controls, history table <prefix>pgqj_controls_history), beside pgqueuer's "
                + "catalog. Idempotent: run it on an existing install to add them.")
        boolean controls;

        @Override
        public Integer call() {
            Durability level = Durability.parse(durability);
            boolean schemaExisted = schemaExists(root.dataSource(), root.names().schema());
            MigrationResult result = root.schema().durability(level).migrate();
            if (!schemaExisted) {
                // Flyway creates a missing schema: say so, a typo in --schema would otherwise go unnoticed
                root.out().printf("created schema '%s' (it did not exist)%n", root.names().schema());
            }
            root.out().printf("pgqueuer schema installed in schema '%s' (prefix '%s', %s): version %s, %d migration(s) applied%s%n",
                    root.names().schema(), root.names().prefix(), level.cliName(), result.schemaVersion(),
                    result.migrationsApplied(), result.adoptedExistingInstall() ? " (adopted an existing install)" : "");
            if (controls) {
                MigrationResult installed = ControlsSchema.forDataSource(root.dataSource()).names(root.names()).install();
                root.out().printf("pgqj control tables installed (pause, resume): version %s, %d migration(s) applied%n",
                        installed.schemaVersion(), installed.migrationsApplied());
            }
            return 0;
        }
    }

    private static boolean schemaExists(javax.sql.DataSource ds, String schema) {
        try (java.sql.Connection c = ds.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("select 1 from pg_catalog.pg_namespace where nspname = ?")) {
            ps.setString(1, schema);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (java.sql.SQLException e) {
            throw new CliException("Cannot read the schemas of the database: " + CliErrors.firstLine(e.getMessage()));
        }
    }

    @Command(name = "upgrade", description = "Bring an existing pgqueuer schema (also one made by Python's pgq install) up to date.")
    static final class Upgrade implements Callable<Integer> {
        @ParentCommand
        PgqjCli root;

        @Option(names = "--plan", description = "Print the SQL of the migrations this database still needs on stdout "
                + "and exit without applying anything.")
        boolean plan;

        @Override
        public Integer call() {
            if (plan) {
                List<String> pending = root.schema().pendingMigrations();
                if (pending.isEmpty()) {
                    root.err().println("pgqueuer schema is already up to date.");
                    return 0;
                }
                SchemaSql sql = SchemaSql.of(root.names(), Durability.DURABLE);
                for (String script : pending) {
                    root.out().println(sql.migration(script));
                }
                root.out().flush();
                root.err().println("Would apply " + pending.size() + " migration(s): " + String.join(", ", pending));
                return 0;
            }
            MigrationResult result = root.schema().migrate();
            root.out().println(result.migrationsApplied() == 0 ? "pgqueuer schema is already up to date (version "
                    + result.schemaVersion() + ")" : "Applied " + result.migrationsApplied()
                    + " migration(s); now at version " + result.schemaVersion());
            return 0;
        }
    }

    @Command(name = "uninstall", description = "Drop the pgqueuer objects. Every job, log row and schedule is deleted.")
    static final class Uninstall implements Callable<Integer> {
        @ParentCommand
        PgqjCli root;

        @Option(names = "--controls", description = "Also drop pgqj's own control tables (every fleet-wide pause is "
                + "lifted).")
        boolean controls;

        @Override
        public Integer call() {
            root.schema().uninstall();
            root.out().printf("pgqueuer schema removed from schema '%s' (prefix '%s')%n", root.names().schema(),
                    root.names().prefix());
            if (controls) {
                ControlsSchema.forDataSource(root.dataSource()).names(root.names()).uninstall();
                root.out().println("pgqj control tables removed (every fleet-wide pause is lifted)");
            }
            return 0;
        }
    }

    @Command(name = "verify", description = "Check that the pgqueuer schema is present (or absent); exit 1 otherwise.")
    static final class Verify implements Callable<Integer> {
        enum Expect { present, absent }

        @ParentCommand
        PgqjCli root;

        @Option(names = "--expect", required = true, paramLabel = "present|absent",
                description = "What to expect: ${COMPLETION-CANDIDATES}.")
        Expect expect;

        @Override
        public Integer call() {
            SchemaVerification v = root.schema().verify();
            boolean ok = expect == Expect.present ? v.isComplete() : v.isAbsent();
            if (ok) {
                root.out().println("OK: " + v.describe());
                return 0;
            }
            String detail = expect == Expect.present ? v.describe()
                    : "pgqueuer objects still present: " + String.join(", ", v.present());
            root.spec.commandLine().getErr().println("pgqj: verify --expect " + expect + " failed: " + detail);
            return 1;
        }
    }
}
