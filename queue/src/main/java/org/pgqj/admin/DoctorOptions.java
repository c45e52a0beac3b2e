package org.pgqj.admin;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The thresholds of {@link QueueDoctor}; immutable, built with {@link #builder()}. Every value has a default.
 *
 * @param waitingAfter      a due job waiting this long makes its entrypoint a finding: unserved when no worker
 *                          picked the entrypoint in that time, else a backlog (default 5 minutes)
 * @param staleAfter        a picked job without a heartbeat for this long is stale (default 5 minutes, as
 *                          {@code pgq stale})
 * @param notifyWarning     the share of the NOTIFY queue in use that is a warning (default 0.5)
 * @param notifyError       ... and an error (default 0.9)
 * @param retentionAge      a log (or statistics) table holding rows older than this with no retention schedule
 *                          is a finding (default 7 days)
 * @param retentionRows     ... or holding this many rows (estimated; default 1,000,000)
 * @param deadRows          dead rows in the queue table that, with more dead than live rows and no (auto)vacuum for
 *                          {@code vacuumAge}, mean autovacuum falls behind (default 10,000)
 * @param vacuumAge         see {@code deadRows} (default 10 minutes)
 * @param concurrencyLimits the limits this application declares, by entrypoint: a picked row of one of them in a
 *                          slot at or above the limit shows another worker declared more (default none)
 */
public record DoctorOptions(Duration waitingAfter, Duration staleAfter, double notifyWarning, double notifyError,
                            Duration retentionAge, long retentionRows, long deadRows, Duration vacuumAge,
                            Map<String, Integer> concurrencyLimits) {

    /** Validates and copies. */
    public DoctorOptions {
        positive(waitingAfter, "waitingAfter");
        positive(staleAfter, "staleAfter");
        positive(retentionAge, "retentionAge");
        positive(vacuumAge, "vacuumAge");
        if (!(notifyWarning > 0 && notifyWarning <= notifyError && notifyError <= 1)) {
            throw new IllegalArgumentException("notify thresholds must satisfy 0 < warning <= error <= 1 (got "
                    + notifyWarning + ", " + notifyError + ")");
        }
        if (retentionRows < 1 || deadRows < 1) {
            throw new IllegalArgumentException("retentionRows and deadRows must be at least 1 (got " + retentionRows
                    + ", " + deadRows + ")");
        }
        concurrencyLimits = Map.copyOf(concurrencyLimits);
        concurrencyLimits.forEach((entrypoint, limit) -> {
            if (limit < 1) {
                throw new IllegalArgumentException("concurrency limit of '" + entrypoint + "' must be at least 1 (got "
                        + limit + "); leave unlimited entrypoints out");
            }
        });
    }

    /** Every default. */
    public static DoctorOptions defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive (got " + d + ")");
        }
    }

    /** Builds {@link DoctorOptions}. */
    public static final class Builder {
        private Duration waitingAfter = Duration.ofMinutes(5);
        private Duration staleAfter = Duration.ofMinutes(5);
        private double notifyWarning = 0.5;
        private double notifyError = 0.9;
        private Duration retentionAge = TableHealth.LOG_AGE_HINT;
        private long retentionRows = TableHealth.LOG_ROWS_HINT;
        private long deadRows = 10_000;
        private Duration vacuumAge = Duration.ofMinutes(10);
        private final Map<String, Integer> concurrencyLimits = new LinkedHashMap<>();

        private Builder() {
        }

        /** See {@link DoctorOptions#waitingAfter()}. */
        public Builder waitingAfter(Duration d) {
            this.waitingAfter = d;
            return this;
        }

        /** See {@link DoctorOptions#staleAfter()}. */
        public Builder staleAfter(Duration d) {
            this.staleAfter = d;
            return this;
        }

        /** See {@link DoctorOptions#notifyWarning()} and {@link DoctorOptions#notifyError()}. */
        public Builder notifyThresholds(double warning, double error) {
            this.notifyWarning = warning;
            this.notifyError = error;
            return this;
        }

        /** See {@link DoctorOptions#retentionAge()} and {@link DoctorOptions#retentionRows()}. */
        public Builder retention(Duration age, long rows) {
            this.retentionAge = age;
            this.retentionRows = rows;
            return this;
        }

        /** See {@link DoctorOptions#deadRows()} and {@link DoctorOptions#vacuumAge()}. */
        public Builder autovacuum(long deadRows, Duration vacuumAge) {
            this.deadRows = deadRows;
            this.vacuumAge = vacuumAge;
            return this;
        }

        /** Declares this application's concurrency limit of {@code entrypoint} (see {@link DoctorOptions#concurrencyLimits()}). */
        public Builder concurrencyLimit(String entrypoint, int limit) {
            concurrencyLimits.put(Objects.requireNonNull(entrypoint, "entrypoint"), limit);
            return this;
        }

        /** The options. */
        public DoctorOptions build() {
            return new DoctorOptions(waitingAfter, staleAfter, notifyWarning, notifyError, retentionAge, retentionRows,
                    deadRows, vacuumAge, concurrencyLimits);
        }
    }
}
