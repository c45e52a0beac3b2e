package org.pgqj.web;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.pgqj.admin.DoctorFinding;
import org.pgqj.admin.LiveWorkers;

/**
 * The models the templates render: plain immutable records, read by {@link DashboardQueries}. Package-private
 * on purpose (the precompiled templates live in this package); none of this is API.
 */
final class Views {

    private Views() {
    }

    /**
     * What every page shares: where it is mounted, its CSRF token, whether actions are offered, and the doctor's
     * findings for the banner (worst first; empty when all is fine).
     */
    record Page(String base, String title, String nav, String csrf, boolean readOnly, Optional<String> flash,
                Instant now, List<DoctorFinding> doctor) {
        /** Findings the banner shows; the rest are counted ({@link #moreFindings}). */
        static final int BANNER_FINDINGS = 10;

        /** The findings in the banner: the worst first, at most {@link #BANNER_FINDINGS}. */
        List<DoctorFinding> banner() {
            return doctor.subList(0, Math.min(doctor.size(), BANNER_FINDINGS));
        }

        /** How many findings the banner leaves out. */
        int moreFindings() {
            return doctor.size() - banner().size();
        }

        /** {@code error} or {@code warning}: the banner's class for a finding. */
        static String severity(DoctorFinding f) {
            return f.severity() == DoctorFinding.Severity.ERROR ? "error" : "warning";
        }

        /** "3 min 12 s": the span from one instant to a later one. */
        String span(Instant from, Instant to) {
            return Format.duration(Duration.between(from, to));
        }

        /** An optional instant as "12 s ago", or {@code none}. */
        String agoOr(Optional<Instant> then, String none) {
            return then.map(t -> ago(t) + " ago").orElse(none);
        }

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

    /**
     * Queue rows of one entrypoint per status still in the queue table, queued ones split into due (runnable now)
     * and scheduled for later ({@code execute_after} in the future), with the oldest due job's due time.
     */
    record SizeRow(String entrypoint, long due, long later, long picked, long failed, Optional<Instant> oldestDue,
                   Optional<Instant> nextLater) {
        long queued() {
            return due + later;
        }

        long total() {
            return due + later + picked + failed;
        }
    }

    /** All entrypoints' sizes, read at {@code at} (the database's clock). */
    record Sizes(List<SizeRow> rows, Instant at) {
        long due() {
            return rows.stream().mapToLong(SizeRow::due).sum();
        }

        long later() {
            return rows.stream().mapToLong(SizeRow::later).sum();
        }

        long picked() {
            return rows.stream().mapToLong(SizeRow::picked).sum();
        }

        long failed() {
            return rows.stream().mapToLong(SizeRow::failed).sum();
        }

        /** When the job that has waited longest since it became due became due. */
        Optional<Instant> oldestDue() {
            return rows.stream().flatMap(r -> r.oldestDue().stream()).min(Instant::compareTo);
        }
    }

    /** The overview page. */
    record Overview(Sizes sizes, LiveWorkers workers, long stalePicked, Throughput throughput,
                    List<LogEntry> recentFailures, Duration staleAfter) {
    }

    /** One row of the jobs list (no payload: the list never reads it). */
    record JobRow(long id, String entrypoint, String status, int priority, Instant created, Instant executeAfter,
                  Instant heartbeat, int attempts, Optional<UUID> queueManagerId) {
        /** Queued but not due before {@code now}: scheduled for later. */
        boolean scheduledAfter(Instant now) {
            return status.equals("queued") && executeAfter.isAfter(now);
        }
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
        /** An exception, a hold, or a retry (logged 'queued' with the traceback of the failed attempt). */
        boolean isFailure() {
            return status.equals("exception") || status.equals("failed") || traceback.isPresent();
        }
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

        /**
         * Failures its log records: exceptions, holds, and retries (a 'queued' row with a traceback). pgqueuer's
         * requeue resets {@code attempts} to 0, so a requeued job that fails again shows 0 attempts; this counts on.
         */
        long failures() {
            return history.stream().filter(LogEntry::isFailure).count();
        }
    }

    /** A held job with the failure that held it and how many failures its log records. */
    record HeldJob(JobRow row, Instant heldSince, Optional<Traceback> lastFailure, long failures) {
    }

    /** Held jobs of one exception type among those the filter's other fields match. */
    record ExceptionGroup(String exceptionType, long count, List<Map.Entry<String, Long>> perEntrypoint,
                          Instant newest) {
    }

    /** The failures page: totals, groups, one page of the matching held jobs, the recent exception log. */
    record Failures(FailureFilter filter, long held, long matching, List<ExceptionGroup> groups, List<HeldJob> rows,
                    Optional<Long> older, List<String> entrypoints, List<LogEntry> recentExceptions,
                    Optional<String> error) {
    }

    /** The page that asks before a bulk action, with the count the action is expected to touch. */
    record Confirm(String action, FailureFilter filter, long count, Instant asOf) {
    }

    /** The workers page: live workers, jobs held by no live worker's id, stale picked jobs, paused entrypoints. */
    record Workers(LiveWorkers live, List<JobRow> stalePicked, Duration staleAfter, Paused paused) {
    }

    /**
     * Entrypoints paused for every Java worker, each with why Python workers may still claim it; whether pgqj's
     * control tables are installed (else nothing can be paused), and the entrypoints known, for the pause form.
     */
    record Paused(boolean installed, List<PausedRow> rows, List<String> entrypoints) {
    }

    /** One paused entrypoint and, when a Python worker may serve it, why that worker does not stop. */
    record PausedRow(org.pgqj.admin.PausedEntrypoint entrypoint, Optional<String> pythonNotice) {
    }

    /** The charts page: live throughput and durations for a window. */
    record Charts(Throughput throughput, Durations durations) {
    }


    /** A row of pgqueuer_schedules. */
    record ScheduleRow(long id, String expression, String entrypoint, String status, Instant nextRun,
                       Optional<Instant> lastRun, Instant heartbeat, boolean overdue) {
        boolean idle() {
            return status.equals("queued");
        }
    }

    /** The schedules page. */
    record Schedules(List<ScheduleRow> schedules) {
    }
}
