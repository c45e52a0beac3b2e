package org.pgqj.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.pgqj.admin.PauseResult;
import org.pgqj.admin.PausedEntrypoint;
import org.pgqj.admin.QueueAdmin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** pause, resume: an entrypoint for every Java worker, through QueueAdmin (pgqj's own control table). */
final class ControlCommands {

    private ControlCommands() {
    }

    /** Who the CLI says pauses: the OS user, so the log and the dashboard name a person. */
    static String defaultBy() {
        return "pgqj cli (" + System.getProperty("user.name", "unknown user") + ")";
    }

    @Command(name = "pause", description = {
            "Pause an entrypoint for every Java worker on the database: none claims its jobs until `pgqj resume`; "
                    + "running jobs finish, enqueue goes on, workers started meanwhile stay off it.",
            "Python workers do not know about pause: the command says so when one may serve the entrypoint.",
            "Needs pgqj's control tables: `pgqj install --controls` once."})
    static final class Pause implements Callable<Integer> {
        @ParentCommand
        PgqjCli root;

        @Parameters(arity = "0..1", paramLabel = "ENTRYPOINT", description = "The entrypoint to pause.")
        String entrypoint;

        @Option(names = "--list", description = "List the paused entrypoints instead (who paused them, since when).")
        boolean list;

        @Option(names = "--by", paramLabel = "WHO", description = "Who pauses, for the log and the dashboard "
                + "(default: pgqj cli (<OS user>)).")
        String by;

        @Override
        public Integer call() {
            DataSource ds = root.installedDataSource();
            QueueAdmin admin = QueueAdmin.create(root.tables());
            if (list) {
                List<PausedEntrypoint> paused = admin.pausedEntrypoints(root.tables().dsl(ds));
                if (paused.isEmpty()) {
                    root.out().println(admin.controlsInstalled(root.tables().dsl(ds)) ? "No entrypoint is paused."
                            : "No entrypoint is paused (pgqj's control tables are not installed: pgqj install --controls).");
                    return 0;
                }
                List<List<String>> rows = new ArrayList<>();
                paused.forEach(p -> rows.add(List.of(p.entrypoint(), p.pausedAt().toString(), p.pausedBy())));
                Table.print(root.out(), List.of("entrypoint", "paused_at", "paused_by"), rows);
                return 0;
            }
            if (entrypoint == null) {
                throw new CliException("Name the ENTRYPOINT to pause, or use --list");
            }
            PauseResult result = root.tables().dsl(ds).transactionResult(trx ->
                    admin.pause(trx.dsl(), entrypoint, by == null ? defaultBy() : by));
            root.out().println(result.changed() ? "paused '" + entrypoint + "' for every Java worker"
                    : "'" + entrypoint + "' was already paused");
            result.pythonNotice().ifPresent(notice -> root.err().println("warning: " + notice));
            return 0;
        }
    }

    @Command(name = "resume", description = "Resume an entrypoint paused with `pgqj pause`: Java workers claim its jobs "
            + "at once (they are notified).")
    static final class Resume implements Callable<Integer> {
        @ParentCommand
        PgqjCli root;

        @Parameters(paramLabel = "ENTRYPOINT", description = "The entrypoint to resume.")
        String entrypoint;

        @Option(names = "--by", paramLabel = "WHO", description = "Who resumes, for the log (default: pgqj cli (<OS user>)).")
        String by;

        @Override
        public Integer call() {
            DataSource ds = root.installedDataSource();
            PauseResult result = root.tables().dsl(ds).transactionResult(trx ->
                    QueueAdmin.create(root.tables()).resume(trx.dsl(), entrypoint, by == null ? defaultBy() : by));
            root.out().println(result.changed() ? "resumed '" + entrypoint + "' for every Java worker"
                    : "'" + entrypoint + "' was not paused");
            return 0;
        }
    }
}
