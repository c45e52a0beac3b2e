package org.pgqj.admin;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One table of the install with the facts of {@code pgq tables} ({@link TableInfo}) and its upkeep as PostgreSQL's
 * statistics collector counts it ({@code pg_stat_user_tables}): dead rows waiting for vacuum, and when vacuum and
 * analyze last ran. The times are empty when that never happened since the statistics were reset.
 *
 * @param table           name, persistence, row estimate and size
 * @param liveRows        live rows as counted ({@code n_live_tup})
 * @param deadRows        dead rows not yet vacuumed ({@code n_dead_tup})
 * @param lastVacuum      the last manual {@code VACUUM}
 * @param lastAutovacuum  the last autovacuum
 * @param lastAnalyze     the last manual {@code ANALYZE}
 * @param lastAutoanalyze the last autoanalyze
 * @param autovacuumCount how many times autovacuum ran on it
 */
public record TableStats(TableInfo table, long liveRows, long deadRows, Optional<Instant> lastVacuum,
                         Optional<Instant> lastAutovacuum, Optional<Instant> lastAnalyze,
                         Optional<Instant> lastAutoanalyze, long autovacuumCount) {

    /** Validates. */
    public TableStats {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(lastVacuum, "lastVacuum");
        Objects.requireNonNull(lastAutovacuum, "lastAutovacuum");
        Objects.requireNonNull(lastAnalyze, "lastAnalyze");
        Objects.requireNonNull(lastAutoanalyze, "lastAutoanalyze");
    }

    /** Its rows: the larger of the planner's estimate and the collector's count of live rows. */
    public long rows() {
        return Math.max(table.estimatedRows(), liveRows);
    }

    /** Dead rows as a share of all rows (0 to 1; 0 for an empty table). */
    public double deadShare() {
        long all = liveRows + deadRows;
        return all == 0 ? 0 : (double) deadRows / all;
    }

    /** The newer of the last vacuum and autovacuum. */
    public Optional<Instant> lastVacuumed() {
        return newer(lastVacuum, lastAutovacuum);
    }

    /** The newer of the last analyze and autoanalyze. */
    public Optional<Instant> lastAnalyzed() {
        return newer(lastAnalyze, lastAutoanalyze);
    }

    private static Optional<Instant> newer(Optional<Instant> a, Optional<Instant> b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : Optional.of(a.get().isAfter(b.get()) ? a.get() : b.get());
    }
}
