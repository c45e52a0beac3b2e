package org.pgqj.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.pgqj.admin.LogRetention;
import org.pgqj.admin.PruneResult;
import org.pgqj.schema.Durability;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** durability, autovac (as {@code pgq}) and prune (log retention). */
final class MaintenanceCommands {

    private static final Pattern AGE = Pattern.compile("(-?\\d+)\\s*(d|h|m|s)");

    private MaintenanceCommands() {
    }

    /** {@code 7d}, {@code 12h}, {@code 30m}, {@code 90s} or ISO-8601 ({@code P7D}, {@code PT12H}); never negative. */
    static Duration age(String text, String option) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Duration d;
        Matcher m = AGE.matcher(t);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "d" -> Duration.ofDays(n);
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofSeconds(n);
                };
            } else {
                d = Duration.parse(t.toUpperCase(Locale.ROOT));
            }
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new CliException(option + " '" + text + "' is not an age: use e.g. 7d, 12h, 30m, 90s or P7D");
        }
        if (d.isNegative()) {
            throw new CliException(option + " must not be negative (got '" + text + "'): give how old a row must be "
                    + "to be deleted, e.g. 7d");
        }
        return d;
    }

    @Command(name = "durability", description = "Alter the logging durability of the pgqueuer tables.")
    static final class DurabilityCommand implements Callable<Integer> {
        @ParentCommand
        PgqjCli root;

        @Parameters(paramLabel = "LEVEL", description = "volatile (all unlogged), balanced (queue and schedules logged, "
                + "log and statistics unlogged) or durable (all logged).")
        String level;

        @Override
        public Integer call() {
            Durability durability = Durability.parse(level);
            root.installedDataSource();
            root.schema().durability(durability).alterDurability();
            root.err().println("Set pgqueuer durability to " + durability.cliName() + ".");
            return 0;
        }
    }

    @Command(name = "autovac", description = "Apply pgqueuer's recommended autovacuum settings to its tables.")
    static final class Autovac implements Callable<Integer> {
        @ParentCommand
        PgqjCli root;

        @Option(names = "--rollback", description = "Reset to the server's defaults instead.")
        boolean rollback;

        @Override
        public Integer call() {
            root.installedDataSource();
            root.schema().optimizeAutovacuum(rollback);
            root.err().println(rollback ? "Reset autovacuum settings to defaults." : "Applied recommended autovacuum settings.");
            return 0;
        }
    }

    @Command(name = "prune", description = "Delete log rows (and with --statistics statistics rows) older than an age, "
            + "in short batches.")
    static final class Prune implements Callable<Integer> {
        @ParentCommand
        PgqjCli root;

        @Option(names = "--older-than", required = true, paramLabel = "AGE",
                description = "Delete rows created longer ago than AGE: 7d, 12h, 30m, 90s or ISO-8601 (P7D).")
        String olderThan;

        @Option(names = "--statistics", description = "Prune the statistics table too.")
        boolean statistics;

        @Option(names = "--batch-size", defaultValue = "" + LogRetention.DEFAULT_BATCH_SIZE,
                description = "Rows per transaction (default ${DEFAULT-VALUE}).")
        int batchSize;

        @Override
        public Integer call() {
            Duration age = age(olderThan, "--older-than");
            if (batchSize < 1) {
                throw new CliException("--batch-size must be at least 1 (got " + batchSize + ")");
            }
            DataSource ds = root.installedDataSource();
            LogRetention retention = LogRetention.create(root.tables()).batchSize(batchSize);
            PruneResult log = retention.pruneLog(ds, age);
            root.out().println("pruned " + log.rowsDeleted() + " log row(s) older than " + olderThan);
            if (statistics) {
                PruneResult stats = retention.pruneStatistics(ds, age);
                root.out().println("pruned " + stats.rowsDeleted() + " statistics row(s) older than " + olderThan);
            }
            root.out().flush();
            return 0;
        }
    }
}
