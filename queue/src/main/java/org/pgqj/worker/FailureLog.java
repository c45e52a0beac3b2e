package org.pgqj.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.pgqj.core.Job;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * The one log line per failed job ({@link FailureLogging}): a retried or held job at its retry level, a final
 * failure at its final level, with the job's MDC keys set; past the flood threshold of an entrypoint within the
 * interval the failures are counted, and one summary line per entrypoint follows when the interval ends (the
 * writer thread asks every round, {@link #summariseDue()}) or at close ({@link #summariseAll()}).
 */
final class FailureLog {

    private static final Logger LOG = LoggerFactory.getLogger(FailureLog.class);

    /** One entrypoint's interval; every field under the window's monitor. */
    private static final class Window {
        /** When the interval began (first failure after the last one ended); job threads. */
        long start;
        /** Lines logged in it; job threads. */
        int lines;
        /** Failures counted instead of logged: job threads add, a summary (any thread) takes. */
        int suppressed;
        /** The most severe level and the last failure among {@link #suppressed}. */
        Level level;
        String last;
    }

    /** A summary taken under a window's monitor, logged outside it. */
    private record Summary(String entrypoint, int count, long nanos, Level level, String last) {
    }

    private final FailureLogging settings;
    private final long intervalNanos;
    /** By entrypoint: created by job threads, read by the writer thread and close. */
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    FailureLog(FailureLogging settings) {
        this.settings = settings;
        this.intervalNanos = settings.floodInterval().toNanos();
    }

    /** A job's thread: {@code job} ended with {@code outcome}; logs it unless it did not fail or the flood is on. */
    void failed(Job job, JobOutcome outcome) {
        FailureLogging.Level configured = switch (outcome.status()) {
            case RETRIED, HELD -> settings.retryLevel();
            case EXCEPTION -> settings.finalLevel();
            case SUCCESSFUL, CANCELED, SNOOZED -> FailureLogging.Level.OFF; // a snooze is JobRunner's DEBUG line
        };
        if (configured == FailureLogging.Level.OFF) {
            return;
        }
        Level level = Level.valueOf(configured.name());
        Throwable error = outcome.error().orElseThrow();
        Summary ended = null;
        boolean line = true;
        if (settings.floodThreshold() > 0) {
            Window w = windows.computeIfAbsent(job.entrypoint(), k -> new Window());
            synchronized (w) {
                long now = System.nanoTime();
                if (w.lines == 0 || now - w.start >= intervalNanos) {
                    ended = take(job.entrypoint(), w, now);
                    w.start = now;
                    w.lines = 0;
                }
                line = w.lines < settings.floodThreshold();
                if (line) {
                    w.lines++;
                } else {
                    w.suppressed++;
                    w.level = w.level == null || level.toInt() > w.level.toInt() ? level : w.level;
                    w.last = "job " + job.id() + " " + describe(error);
                }
            }
        }
        if (ended != null) {
            log(ended);
        }
        if (line) {
            MdcScope.put(job);
            try {
                LOG.atLevel(level).setCause(settings.stackTrace() ? error : null)
                        .log("Job {} ({}, attempts {}) failed, {}: {}", job.id(), job.entrypoint(), job.attempts(),
                                outcome(outcome), describe(error));
            } finally {
                MdcScope.clear();
            }
        }
    }

    /** The writer thread, every round: the summary of each entrypoint whose interval ended with failures counted. */
    void summariseDue() {
        summarise(false);
    }

    /** Close: the summary of every entrypoint with failures counted, ended or not. */
    void summariseAll() {
        summarise(true);
    }

    private void summarise(boolean all) {
        if (windows.isEmpty()) {
            return;
        }
        List<Summary> due = new ArrayList<>();
        long now = System.nanoTime();
        windows.forEach((entrypoint, w) -> {
            synchronized (w) {
                if (w.suppressed > 0 && (all || now - w.start >= intervalNanos)) {
                    due.add(take(entrypoint, w, now));
                    w.lines = 0; // the next failure starts a new interval
                }
            }
        });
        due.forEach(FailureLog::log);
    }

    /** Under {@code w}'s monitor: its summary if failures were counted (and resets the count), else null. */
    private static Summary take(String entrypoint, Window w, long now) {
        if (w.suppressed == 0) {
            return null;
        }
        Summary s = new Summary(entrypoint, w.suppressed, now - w.start, w.level, w.last);
        w.suppressed = 0;
        w.level = null;
        w.last = null;
        return s;
    }

    private static void log(Summary s) {
        MDC.put(MdcScope.ENTRYPOINT, s.entrypoint());
        try {
            LOG.atLevel(s.level()).log("{} more failures of {} in the last {} s (not logged one by one), last: {}",
                    s.count(), s.entrypoint(), Math.max(1, Math.round(s.nanos() / 1e9)), s.last());
        } finally {
            MDC.remove(MdcScope.ENTRYPOINT);
        }
    }

    private static String outcome(JobOutcome outcome) {
        String notRetried = outcome.notRetried().map(r -> "; not retried: " + r).orElse("");
        return switch (outcome.status()) {
            case RETRIED -> "retried in " + human(outcome.retryDelay().orElseThrow());
            case HELD -> "held (status 'failed', kept for a requeue" + notRetried + ")";
            default -> "exception (final" + notRetried + ")";
        };
    }

    /** 250 ms, 5 s, 1.5 s, 19.1 s, 90 s: the worker's durations in its log lines. */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        return (ms % 1000 == 0 ? Long.toString(ms / 1000)
                : java.math.BigDecimal.valueOf(ms, 3).setScale(1, java.math.RoundingMode.HALF_UP).toPlainString()) + " s";
    }

    private static String describe(Throwable error) {
        return error.getClass().getName() + ": " + error.getMessage();
    }
}
