package org.pgqj.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.admin.QueueSize;
import org.pgqj.admin.StatisticsAggregation;
import org.pgqj.admin.StatisticsEntry;
import org.pgqj.core.PgqjException;
import org.pgqj.core.QueueTables;

/**
 * The database-side gauges of pgqueuer's {@code metrics/prometheus.py}, with its exact names and labels,
 * so a Grafana board built for a Python fleet reads a Java one unchanged:
 *
 * <ul>
 *   <li>{@code pgqueuer_queue_count{aggregation="sum",entrypoint,status}}: rows of the queue table per
 *       entrypoint and status (queued, picked, failed), summed over priorities;</li>
 *   <li>{@code pgqueuer_logs_count{aggregation="sum",entrypoint,status}}: log rows per entrypoint and
 *       status in the last five minutes, read from the statistics table after folding the new log rows
 *       into it, summed over priorities and seconds.</li>
 * </ul>
 *
 * <p>The values are read when {@link #refresh()} runs (pgqueuer reads them on every scrape): call it before
 * each scrape, or on a timer. Label sets that no longer occur disappear, as in pgqueuer's output.
 */
public final class PgqueuerGauges {

    /** pgqueuer's name for the queue-table gauge. */
    public static final String QUEUE_COUNT = "pgqueuer_queue_count";
    /** pgqueuer's name for the recent-log gauge. */
    public static final String LOGS_COUNT = "pgqueuer_logs_count";
    /** pgqueuer's default window of {@code collect_metrics(last=...)}. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);

    private final DataSource dataSource;
    private final QueueTables tables;
    private final Duration window;
    private final QueueAdmin admin;
    private final StatisticsAggregation aggregation;
    private final MultiGauge queueCount;
    private final MultiGauge logsCount;

    private PgqueuerGauges(MeterRegistry registry, DataSource dataSource, QueueTables tables, Duration window) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.tables = Objects.requireNonNull(tables, "tables");
        this.window = Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive (got " + window + "); pgqueuer's default is 5 minutes");
        }
        this.admin = QueueAdmin.create(tables);
        this.aggregation = StatisticsAggregation.of(tables);
        this.queueCount = MultiGauge.builder(QUEUE_COUNT)
                .description("Jobs in the pgqueuer queue table per entrypoint and status")
                .register(registry);
        this.logsCount = MultiGauge.builder(LOGS_COUNT)
                .description("pgqueuer log rows per entrypoint and status in the recent window")
                .register(registry);
    }

    /** The two gauges on {@code registry} for the install {@code tables}, with pgqueuer's 5-minute window. */
    public static PgqueuerGauges register(MeterRegistry registry, DataSource dataSource, QueueTables tables) {
        return register(registry, dataSource, tables, DEFAULT_WINDOW);
    }

    /** The two gauges, with the log window of {@code window} (pgqueuer's {@code last}). */
    public static PgqueuerGauges register(MeterRegistry registry, DataSource dataSource, QueueTables tables,
                                          Duration window) {
        return new PgqueuerGauges(Objects.requireNonNull(registry, "registry"), dataSource, tables, window);
    }

    /**
     * Reads the queue and the recent statistics and sets the gauges.
     *
     * @throws PgqjException when the database cannot be read (the gauges keep their last values)
     */
    public void refresh() {
        List<QueueSize> sizes;
        List<StatisticsEntry> recent;
        try (Connection c = dataSource.getConnection()) {
            DSLContext dsl = DSL.using(c, SQLDialect.POSTGRES);
            sizes = admin.queueSize(dsl);
            // pgqueuer folds pending log rows into the statistics before it reads them (its read path takes no
            // lock); this aggregation takes the workers' advisory lock and skips while a worker folds the same rows
            aggregation.aggregate(dsl);
            recent = admin.statistics(dsl, Integer.MAX_VALUE, window);
        } catch (SQLException | RuntimeException e) {
            throw new PgqjException("Could not read pgqueuer metrics from " + tables + ": " + e.getMessage(), e);
        }
        Map<List<String>, Long> queue = new TreeMap<>(PgqueuerGauges::compare);
        sizes.forEach(s -> queue.merge(List.of(s.entrypoint(), s.status().label()), s.count(), Long::sum));
        Map<List<String>, Long> logs = new TreeMap<>(PgqueuerGauges::compare);
        recent.forEach(s -> logs.merge(List.of(s.entrypoint(), s.status().label()), s.count(), Long::sum));
        queueCount.register(rows(queue), true);
        logsCount.register(rows(logs), true);
    }

    private static List<MultiGauge.Row<?>> rows(Map<List<String>, Long> sums) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>(sums.size());
        sums.forEach((key, count) -> rows.add(MultiGauge.Row.of(
                Tags.of("aggregation", "sum", "entrypoint", key.get(0), "status", key.get(1)), count)));
        return rows;
    }

    private static int compare(List<String> a, List<String> b) {
        int c = a.get(0).compareTo(b.get(0));
        return c != 0 ? c : a.get(1).compareTo(b.get(1));
    }

    @Override
    public String toString() {
        return "PgqueuerGauges[" + tables + ", window " + window + "]";
    }
}
