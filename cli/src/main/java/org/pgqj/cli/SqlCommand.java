package org.pgqj.cli;

import java.util.concurrent.Callable;
import org.pgqj.schema.Durability;
import org.pgqj.schema.SchemaSql;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pgqj sql ...}: prints the queue schema's SQL and never connects ({@code pgq sql}). Names come from
 * --prefix/--schema (or PGQUEUER_PREFIX/PGQUEUER_SCHEMA); the database URL is not read.
 */
@Command(name = "sql", description = "Print pgqueuer SQL on stdout without connecting to a database (for review, "
        + "psql, or another migration tool).",
        subcommands = {SqlCommand.Install.class, SqlCommand.Upgrade.class, SqlCommand.Uninstall.class,
                SqlCommand.DurabilitySql.class, SqlCommand.Autovac.class})
final class SqlCommand implements Runnable {

    @ParentCommand
    PgqjCli root;

    @Override
    public void run() {
        throw new CliException("pgqj sql needs a subcommand: install, upgrade, uninstall, durability or autovac");
    }

    static SchemaSql sql(SqlCommand parent, String durability) {
        return SchemaSql.of(parent.root.names(), Durability.parse(durability));
    }

    static Integer print(SqlCommand parent, String text) {
        parent.root.out().print(text);
        parent.root.out().flush();
        return 0;
    }

    /** install and upgrade: the same migrations, with a durability. */
    abstract static class Migrations implements Callable<Integer> {
        @ParentCommand
        SqlCommand parent;

        @Option(names = {"-d", "--durability"}, defaultValue = "durable", paramLabel = "LEVEL",
                description = "durable (default), balanced or volatile.")
        String durability;

        @Option(names = "--controls", description = "Also print pgqj's own control tables (pause and resume), as "
                + "`pgqj install --controls` creates them, after pgqueuer's schema.")
        boolean controls;

        abstract String text(SchemaSql sql);

        @Override
        public Integer call() {
            SchemaSql sql = sql(parent, durability);
            return print(parent, controls ? text(sql) + "\n" + sql.controls() : text(sql));
        }
    }

    @Command(name = "install", description = "SQL that creates the pgqueuer schema (every migration, in order).")
    static final class Install extends Migrations {
        @Override
        String text(SchemaSql sql) {
            return sql.install();
        }
    }

    @Command(name = "upgrade", description = "SQL that brings any older install up to date (idempotent; for the exact "
            + "pending migrations of one database use `pgqj upgrade --plan`).")
    static final class Upgrade extends Migrations {
        @Override
        String text(SchemaSql sql) {
            return sql.upgrade();
        }
    }

    @Command(name = "uninstall", description = "SQL that drops every pgqueuer object.")
    static final class Uninstall implements Callable<Integer> {
        @ParentCommand
        SqlCommand parent;

        @Option(names = "--controls", description = "Also drop pgqj's own control tables (every fleet-wide pause is "
                + "lifted).")
        boolean controls;

        @Override
        public Integer call() {
            SchemaSql sql = sql(parent, "durable");
            return print(parent, controls ? sql.uninstall() + "\n" + sql.controlsUninstall() : sql.uninstall());
        }
    }

    @Command(name = "durability", description = "SQL that switches the tables' durability without data loss.")
    static final class DurabilitySql implements Callable<Integer> {
        @ParentCommand
        SqlCommand parent;

        @Parameters(paramLabel = "LEVEL", description = "volatile, balanced or durable.")
        String durability;

        @Override
        public Integer call() {
            return print(parent, sql(parent, durability).durability());
        }
    }

    @Command(name = "autovac", description = "SQL for pgqueuer's recommended autovacuum settings (--rollback to reset).")
    static final class Autovac implements Callable<Integer> {
        @ParentCommand
        SqlCommand parent;

        @Option(names = "--rollback", description = "Reset to the server's defaults instead.")
        boolean rollback;

        @Override
        public Integer call() {
            return print(parent, sql(parent, "durable").autovac(rollback));
        }
    }
}
