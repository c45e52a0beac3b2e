package org.pgqj.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.core.Job;
import org.pgqj.enqueue.DuplicateJobException;
import org.pgqj.enqueue.EnqueueResult;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.enqueue.OnConflict;
import org.pgqj.schedule.Schedule;
import org.pgqj.schedule.Schedules;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** queue, failed, requeue, cancel, schedules: one admin call each. */
final class QueueCommands {

    private QueueCommands() {
    }

    @Command(name = "queue", description = "Enqueue one job; prints its id.")
    static final class Queue implements Callable<Integer> {
        /** pgq's --on-conflict choices. */
        enum Conflict {
            raise(OnConflict.RAISE), skip(OnConflict.SKIP), update_priority(OnConflict.UPDATE_PRIORITY);

            final OnConflict mode;

            Conflict(OnConflict mode) {
                this.mode = mode;
            }

            static Conflict parse(String text) {
                for (Conflict c : values()) {
                    if (c.name().replace('_', '-').equals(text) || c.name().equals(text)) {
                        return c;
                    }
                }
                throw new CliException("Unknown --on-conflict '" + text + "': use raise, skip or update-priority");
            }
        }

        @ParentCommand
        PgqjCli root;

        @Parameters(index = "0", paramLabel = "ENTRYPOINT", description = "The entrypoint name.")
        String entrypoint;

        @Parameters(index = "1", arity = "0..1", paramLabel = "PAYLOAD", description = "Payload text (stored as UTF-8 bytes).")
        String payload;

        @Option(names = "--dedupe-key", paramLabel = "KEY", description = "Unique among queued and picked jobs.")
        String dedupeKey;

        @Option(names = "--priority", defaultValue = "0", description = "Higher runs first (default 0).")
        int priority;

        @Option(names = "--on-conflict", defaultValue = "raise", paramLabel = "raise|skip|update-priority",
                description = "When the dedupe key is taken: raise (exit 1, default), skip (exit 0), or "
                        + "update-priority (raise the live job's priority, never lower it; prints its id).")
        String onConflict;

        @Option(names = "--headers", paramLabel = "JSON",
                description = "The job's headers: a JSON object, values of any JSON type (nested objects too), "
                        + "e.g. '{\"tenant\": \"acme\", \"otel\": {\"traceparent\": \"00-...\"}}'.")
        String headers;

        @Override
        public Integer call() {
            Conflict conflict = Conflict.parse(onConflict); // before connecting: bad input is one line
            Map<String, Object> headerMap = headers == null ? Map.of() : parseHeaders(headers);
            DataSource ds = root.installedDataSource();
            NewJob.Builder job = NewJob.builder(entrypoint).priority(priority).headers(headerMap);
            if (payload != null) {
                job.payload(payload.getBytes(StandardCharsets.UTF_8));
            }
            if (dedupeKey != null) {
                job.dedupeKey(dedupeKey);
            }
            DSLContext dsl = root.tables().dsl(ds);
            try {
                EnqueueResult result = JobQueue.create(root.tables()).enqueue(dsl, List.of(job.build()),
                        conflict.mode);
                if (result.allWritten()) {
                    root.out().println(result.writtenIds().get(0));
                } else {
                    root.out().println("skipped: a job with dedupe key '" + dedupeKey + "' is already queued or running");
                }
                return 0;
            } catch (DuplicateJobException e) {
                root.spec.commandLine().getErr().println("pgqj: " + CliErrors.firstLine(e.getMessage()));
                return 1;
            }
        }

        /** The --headers object as plain maps, lists and scalars (what {@code Job.headers()} reads back). */
        static Map<String, Object> parseHeaders(String text) {
            JsonNode node;
            try {
                node = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(text);
            } catch (JsonProcessingException e) {
                throw new CliException("--headers is not valid JSON (" + CliErrors.firstLine(e.getOriginalMessage())
                        + "): give a JSON object, e.g. '{\"tenant\": \"acme\"}'");
            }
            if (!node.isObject()) {
                throw new CliException("--headers must be a JSON object, not " + (node.isMissingNode() ? "empty text"
                        : "a JSON " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " (" + text.trim() + ")")
                        + ": e.g. '{\"tenant\": \"acme\"}'");
            }
            return Json.MAPPER.convertValue(node, new TypeReference<LinkedHashMap<String, Object>>() { });
        }
    }

    @Command(name = "failed", description = "List held jobs (status failed), oldest first.")
    static final class Failed implements Callable<Integer> {
        @ParentCommand
        PgqjCli root;

        @Option(names = {"-n", "--limit"}, defaultValue = "25", description = "At most this many (default 25).")
        int limit;

        @Option(names = "--json", description = "Print the jobs as one JSON array (payloads by size only).")
        boolean json;

        @Override
        public Integer call() {
            DataSource ds = root.installedDataSource();
            List<Job> jobs = QueueAdmin.create(root.tables()).failedJobs(root.tables().dsl(ds), limit);
            if (json) {
                Json.print(root.out(), jobs, Json::job);
                return 0;
            }
            List<List<String>> rows = new ArrayList<>();
            for (Job j : jobs) {
                rows.add(List.of(Long.toString(j.id()), j.entrypoint(), Integer.toString(j.attempts()),
                        j.created().toString(), Table.preview(j.payload())));
            }
            Table.print(root.out(), List.of("id", "entrypoint", "attempts", "created", "payload"), rows);
            return 0;
        }
    }

    @Command(name = "requeue", description = "Put held (failed) jobs back in the queue.")
    static final class Requeue implements Callable<Integer> {
        @ParentCommand
        PgqjCli root;

        @Parameters(arity = "1..*", paramLabel = "ID", description = "Job ids.")
        List<Long> ids;

        @Override
        public Integer call() {
            DataSource ds = root.installedDataSource();
            List<Long> done = QueueAdmin.create(root.tables()).requeue(root.tables().dsl(ds), ids);
            root.out().println("requeued " + done.size() + " job(s): " + done);
            return done.size() == ids.size() ? 0 : 1;
        }
    }

    @Command(name = "cancel", description = "Cancel jobs by id (deleted, logged canceled; running ones are told).")
    static final class Cancel implements Callable<Integer> {
        @ParentCommand
        PgqjCli root;

        @Parameters(arity = "1..*", paramLabel = "ID", description = "Job ids (any number: the notification to the "
                + "workers is split to fit PostgreSQL's payload limit).")
        List<Long> ids;

        @Option(names = "--heartbeat-timeout", defaultValue = "30", paramLabel = "SECONDS",
                description = "The workers' heartbeat timeout (their --heartbeat-timeout, default 30): a picked job "
                        + "heard from within it is left to its worker, which stops the handler and logs it canceled.")
        double heartbeatTimeout;

        @Override
        public Integer call() {
            QueueAdmin admin = QueueAdmin.create(root.tables())
                    .heartbeatTimeout(RunCommand.seconds(heartbeatTimeout, "--heartbeat-timeout"));
            DataSource ds = root.installedDataSource();
            // one transaction: the lock on running rows, the deletes and the notifications commit together
            List<Long> done = root.tables().dsl(ds).transactionResult(trx -> admin.cancel(trx.dsl(), ids));
            root.out().println("canceled " + done.size() + " job(s): " + done);
            return 0;
        }
    }

    @Command(name = "schedules", description = "List cron schedules; --remove deletes by id or entrypoint first.")
    static final class SchedulesCommand implements Callable<Integer> {
        @ParentCommand
        PgqjCli root;

        @Option(names = {"-r", "--remove"}, paramLabel = "ID|ENTRYPOINT",
                description = "Remove schedules: numbers are ids, anything else an entrypoint (repeatable).")
        List<String> remove = new ArrayList<>();

        @Option(names = "--json", description = "Print the schedules as one JSON array.")
        boolean json;

        @Override
        public Integer call() {
            DataSource ds = root.installedDataSource();
            if (!remove.isEmpty()) {
                int removed = Schedules.remove(root.tables(), ds, remove.toArray(String[]::new));
                (json ? root.err() : root.out()).println("removed " + removed + " schedule(s)");
            }
            if (json) {
                Json.print(root.out(), Schedules.list(root.tables(), ds), Json::schedule);
                return 0;
            }
            List<List<String>> rows = new ArrayList<>();
            for (Schedule s : Schedules.list(root.tables(), ds)) {
                rows.add(List.of(Long.toString(s.id()), s.expression(), s.entrypoint(), s.status().label(),
                        s.nextRun().toString(), s.lastRun().map(Object::toString).orElse("-")));
            }
            Table.print(root.out(), List.of("id", "expression", "entrypoint", "status", "next_run", "last_run"), rows);
            return 0;
        }
    }
}
