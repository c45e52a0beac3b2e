package org.pgqj.web;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The models the templates render: plain immutable records, read by {@link DashboardQueries}. Package-private
 * on purpose (the precompiled templates live in this package); none of this is API.
 */
final class Views {

    private Views() {
    }

    /** What every page shares: where it is mounted, its CSRF token, and whether actions are offered. */
    record Page(String base, String title, String nav, String csrf, boolean readOnly, Optional<String> flash,
                Instant now) {
        /** A link inside the dashboard, e.g. {@code href("/jobs")}. */
        String href(String path) {
            return base + path;
        }

        /** "12 s", "3 min", "2 h 5 min", "4 d": how long before {@link #now} an instant was. */
        String ago(Instant then) {
            return Format.duration(Duration.between(then, now));
        }

        /** The jobs list filtered to one entrypoint (the name URL-encoded). */
        String jobsOf(String entrypoint) {
            return base + "/jobs?entrypoint=" + java.net.URLEncoder.encode(entrypoint, java.nio.charset.StandardCharsets.UTF_8);
        }

        /** A job's page. */
        String job(long id) {
            return base + "/jobs/" + id;
        }

        /** An instant as UTC text, to the second. */
        String at(Instant t) {
            return Format.instant(t);
        }
    }

    /** Queue rows of one entrypoint, per status still in the queue table. */
    record SizeRow(String entrypoint, long queued, long picked, long failed) {
        long total() {
            return queued + picked + failed;
        }
    }

    /** The overview page. */
    record Overview(long queued, long picked, long failed, long workers, long stalePicked,
                    Optional<Instant> oldestQueued, List<SizeRow> sizes, Chart throughput,
                    List<LogEntry> recentFailures, Duration staleAfter) {
    }

    /** One row of the jobs list (no payload: the list never reads it). */
    record JobRow(long id, String entrypoint, String status, int priority, Instant created, Instant executeAfter,
                  Instant heartbeat, int attempts, Optional<UUID> queueManagerId) {
    }

    /** The jobs page: a filter, one page of rows, and the keyset cursors around it. */
    record JobsPage(JobFilter filter, List<JobRow> rows, Optional<Long> newer, Optional<Long> older,
                    List<String> entrypoints, Optional<String> error) {
    }

    /** A queue row shown in full on the job page. */
    record JobRowFull(JobRow row, Optional<String> dedupeKey, Optional<Long> slot, Instant updated) {
    }

    /** A pgqueuer_log row, with the traceback read when there is one. */
    record LogEntry(long id, long jobId, Instant created, String status, String entrypoint, int priority,
                    Optional<Traceback> traceback) {
    }

    /** pgqueuer's traceback JSON, the fields an operator reads first, and the whole document pretty-printed. */
    record Traceback(String exceptionType, String exceptionMessage, String traceback, String json) {
    }

    /** The job page: the queue row while there is one, and the job's whole log history. */
    record JobDetail(long id, Optional<JobRowFull> row, String entrypoint, String status, List<LogEntry> history,
                     Payloads.Shown payload, String headers) {
        boolean found() {
            return row.isPresent() || !history.isEmpty();
        }
    }

    /** A held job with its last failure. */
    record HeldJob(JobRow row, Instant updated, Optional<Traceback> lastFailure) {
    }

    /** The failures page. */
    record Failures(List<HeldJob> held, List<LogEntry> recentExceptions, int limit) {
    }

    /** A queue manager known by the picked jobs it holds. */
    record WorkerRow(UUID id, long picked, Instant lastHeartbeat, List<String> entrypoints, boolean stale) {
    }

    /** The workers page. */
    record Workers(List<WorkerRow> workers, List<JobRow> stalePicked, Duration staleAfter) {
    }

    /** A row of pgqueuer_schedules. */
    record ScheduleRow(long id, String expression, String entrypoint, String status, Instant nextRun,
                       Optional<Instant> lastRun, Instant heartbeat, boolean overdue) {
    }

    /** The schedules page. */
    record Schedules(List<ScheduleRow> schedules) {
    }
}
