package org.pgqj.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.pgqj.admin.ActiveWorker;
import org.pgqj.admin.BacklogEntry;
import org.pgqj.admin.LogEntry;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.admin.QueueInspection;
import org.pgqj.admin.QueueSize;
import org.pgqj.admin.StaleJob;
import org.pgqj.admin.TableInfo;
import org.pgqj.admin.ThroughputTotal;
import org.pgqj.core.Job;
import org.pgqj.core.JobStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * The read-only operator commands of {@code pgq} 1.5 (stale, workers, backlog) and 2.2 (size, throughput, log,
 * jobs, tables): a table for people, or with {@code --json} one JSON array (see {@link Json}).
 */
final class InspectCommands {

    private InspectCommands() {
    }

    /** What every inspection command shares: the root, --json, and one way to print. */
    abstract static class Inspect implements Callable<Integer> {
        @ParentCommand
        PgqjCli root;

        @Option(names = "--json", description = "Print one JSON array on stdout (field names in the README).")
        boolean json;

        DSLContext dsl() {
            return root.tables().dsl(root.installedDataSource());
        }

        QueueInspection inspection() {
            return QueueInspection.create(root.tables());
        }

        <T> Integer show(List<T> items, Function<T, com.fasterxml.jackson.databind.node.ObjectNode> toJson,
                         String none, List<String> header, Function<T, List<String>> toRow) {
            if (json) {
                Json.print(root.out(), items, toJson);
            } else if (items.isEmpty()) {
                root.out().println(none);
                root.out().flush();
            } else {
                List<List<String>> rows = new ArrayList<>();
                items.forEach(i -> rows.add(toRow.apply(i)));
                Table.print(root.out(), header, rows);
            }
            return 0;
        }
    }

    static String seconds(double s) {
        return Long.toString(Math.round(s));
    }

    static List<JobStatus> statuses(List<String> labels) {
        List<JobStatus> out = new ArrayList<>();
        for (String label : labels) {
            try {
                out.add(JobStatus.fromLabel(label.trim().toLowerCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new CliException("Unknown --status '" + label + "': use queued, picked, successful, exception, "
                        + "canceled, deleted or failed");
            }
        }
        return out;
    }

    static void requirePositive(int value, String option) {
        if (value < 1) {
            throw new CliException(option + " must be at least 1 (got " + value + ")");
        }
    }

    @Command(name = "stale", description = "List picked jobs whose heartbeat is older than the threshold.")
    static final class Stale extends Inspect {
        @Option(names = {"-t", "--threshold"}, defaultValue = "300", paramLabel = "SECONDS",
                description = "Seconds since the last heartbeat before a picked job counts as stale (default 300).")
        double threshold;

        @Option(names = {"-n", "--limit"}, defaultValue = "25", description = "At most this many jobs (default 25).")
        int limit;

        @Override
        public Integer call() {
            if (threshold < 0) {
                throw new CliException("--threshold must not be negative (got " + threshold + ")");
            }
            requirePositive(limit, "--limit");
            List<StaleJob> jobs = inspection().staleJobs(dsl(), Duration.ofMillis(Math.round(threshold * 1000)), limit);
            return show(jobs, Json::stale, "No stale jobs.",
                    List.of("id", "entrypoint", "queue_manager_id", "heartbeat", "seconds_since_heartbeat"),
                    j -> List.of(Long.toString(j.id()), j.entrypoint(), j.queueManagerId().map(Object::toString).orElse("-"),
                            Json.time(j.heartbeat()), seconds(j.secondsSinceHeartbeat())));
        }
    }

    @Command(name = "workers", description = "List queue managers currently holding picked jobs.")
    static final class Workers extends Inspect {
        @Override
        public Integer call() {
            List<ActiveWorker> workers = inspection().activeWorkers(dsl());
            return show(workers, Json::worker, "No workers are holding picked jobs.",
                    List.of("queue_manager_id", "picked_jobs", "oldest_heartbeat", "newest_heartbeat", "entrypoints"),
                    w -> List.of(w.queueManagerId().toString(), Long.toString(w.activeJobs()), Json.time(w.oldestHeartbeat()),
                            Json.time(w.newestHeartbeat()), String.join(", ", w.entrypoints())));
        }
    }

    @Command(name = "backlog", description = "Show how many jobs wait in 'queued' per entrypoint, and how old they are.")
    static final class Backlog extends Inspect {
        @Override
        public Integer call() {
            List<BacklogEntry> backlog = inspection().backlog(dsl());
            return show(backlog, Json::backlog, "No queued jobs.",
                    List.of("entrypoint", "queued", "oldest_created", "oldest_age_s", "average_age_s"),
                    b -> List.of(b.entrypoint(), Long.toString(b.queuedCount()), Json.time(b.oldestCreated()),
                            seconds(b.oldestAgeSeconds()), seconds(b.avgAgeSeconds())));
        }
    }

    @Command(name = "size", description = "Count the jobs in the queue table per entrypoint, priority and status.")
    static final class Size extends Inspect {
        @Override
        public Integer call() {
            List<QueueSize> sizes = QueueAdmin.create(root.tables()).queueSize(dsl());
            return show(sizes, Json::size, "The queue is empty.", List.of("entrypoint", "priority", "status", "count"),
                    s -> List.of(s.entrypoint(), Integer.toString(s.priority()), s.status().label(), Long.toString(s.count())));
        }
    }

    @Command(name = "throughput", description = "Jobs per entrypoint and status from the statistics, over a window.")
    static final class Throughput extends Inspect {
        @Option(names = "--last", defaultValue = "3600", paramLabel = "SECONDS",
                description = "Count the last SECONDS (default 3600; 0 = everything the statistics table keeps).")
        long last;

        @Override
        public Integer call() {
            if (last < 0) {
                throw new CliException("--last must not be negative (got " + last + ")");
            }
            List<ThroughputTotal> totals = inspection().throughput(dsl(), Duration.ofSeconds(last));
            return show(totals, Json::throughput, "No jobs counted in the window.", List.of("entrypoint", "status", "total_count"),
                    t -> List.of(t.entrypoint(), t.status().label(), Long.toString(t.totalCount())));
        }
    }

    @Command(name = "log", description = "Show log rows: the newest first, or one job's history with --job.")
    static final class Log extends Inspect {
        @Option(names = {"-n", "--limit"}, defaultValue = "25", description = "At most this many rows (default 25).")
        int limit;

        @Option(names = "--job", paramLabel = "ID", description = "Only this job's rows, oldest first.")
        Long job;

        @Option(names = "--status", paramLabel = "STATUS", split = ",",
                description = "Only rows of these statuses (repeatable or comma-separated).")
        List<String> status = new ArrayList<>();

        @Override
        public Integer call() {
            requirePositive(limit, "--limit");
            List<JobStatus> wanted = statuses(status);
            List<LogEntry> rows = job != null
                    ? inspection().jobLog(dsl(), job, limit).stream().filter(e -> wanted.isEmpty() || wanted.contains(e.status())).toList()
                    : inspection().recentLog(dsl(), limit, wanted);
            return show(rows, Json::log, "No log rows.", List.of("created", "job_id", "status", "entrypoint", "priority", "traceback"),
                    e -> List.of(Json.time(e.created()), Long.toString(e.jobId()), e.status().label(), e.entrypoint(),
                            Integer.toString(e.priority()), e.traceback().isPresent() ? "yes" : "-"));
        }
    }

    @Command(name = "jobs", description = "Page through the queue table, highest priority first.")
    static final class Jobs extends Inspect {
        @Option(names = {"-n", "--limit"}, defaultValue = "50", description = "At most this many jobs (default 50).")
        int limit;

        @Option(names = "--offset", defaultValue = "0", description = "Skip this many first (default 0).")
        int offset;

        @Option(names = "--status", paramLabel = "STATUS", split = ",",
                description = "Only jobs of these statuses: queued, picked, failed (repeatable or comma-separated).")
        List<String> status = new ArrayList<>();

        @Option(names = "--entrypoint", paramLabel = "NAME", split = ",",
                description = "Only jobs of these entrypoints (repeatable or comma-separated).")
        List<String> entrypoint = new ArrayList<>();

        @Override
        public Integer call() {
            requirePositive(limit, "--limit");
            if (offset < 0) {
                throw new CliException("--offset must not be negative (got " + offset + ")");
            }
            List<Job> jobs = inspection().jobs(dsl(), limit, offset, statuses(status), entrypoint);
            return show(jobs, Json::job, "No jobs.", List.of("id", "entrypoint", "status", "priority", "attempts", "created", "payload"),
                    j -> List.of(Long.toString(j.id()), j.entrypoint(), j.status().label(), Integer.toString(j.priority()),
                            Integer.toString(j.attempts()), Json.time(j.created()), Table.preview(j.payload())));
        }
    }

    @Command(name = "tables", description = "Show the pgqueuer tables with durability, row estimate and size.")
    static final class Tables extends Inspect {
        @Override
        public Integer call() {
            List<TableInfo> tables = inspection().tables(dsl());
            return show(tables, Json::table, "No pgqueuer tables.", List.of("table_name", "persistence", "estimated_rows", "total_size"),
                    t -> List.of(t.tableName(), t.persistence(), Long.toString(t.estimatedRows()), t.totalSize()));
        }
    }
}
