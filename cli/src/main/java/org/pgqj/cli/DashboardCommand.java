package org.pgqj.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.admin.QueueSize;
import org.pgqj.admin.StatisticsAggregation;
import org.pgqj.admin.StatisticsEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Queue sizes and recent throughput per entrypoint and status, like {@code pgq dashboard}. */
@Command(name = "dashboard", description = "Show queue sizes and recent throughput per entrypoint and status.")
final class DashboardCommand implements Callable<Integer> {

    @ParentCommand
    PgqjCli root;

    @Option(names = {"-i", "--interval"}, paramLabel = "SECONDS", defaultValue = "0",
            description = "Refresh every SECONDS (0 = print once).")
    double interval;

    @Option(names = {"-n", "--limit"}, defaultValue = "25", description = "At most this many rows per table (default 25).")
    int limit;

    @Option(names = "--window", defaultValue = "60", paramLabel = "SECONDS",
            description = "Throughput over the last SECONDS (default 60).")
    int window;

    @Option(names = "--count", defaultValue = "0", paramLabel = "N", description = "Stop after N refreshes (0 = never).")
    int count;

    @Option(names = "--json", description = "Print one JSON object per refresh (one line each) instead of tables.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        if (interval < 0 || window <= 0 || limit <= 0) {
            throw new CliException("--interval must be >= 0, --window and --limit > 0");
        }
        DataSource ds = root.installedDataSource();
        DSLContext dsl = root.tables().dsl(ds);
        QueueAdmin admin = QueueAdmin.create(root.tables());
        StatisticsAggregation aggregation = StatisticsAggregation.of(root.tables());
        int shown = 0;
        do {
            if (interval > 0 && !json) {
                root.out().print("\033[H\033[2J"); // clear the terminal between refreshes
            }
            aggregation.aggregate(dsl); // fold fresh log rows into the statistics first
            print(admin.queueSize(dsl), admin.statistics(dsl, 100_000, Duration.ofSeconds(window)));
            shown++;
            if (interval > 0 && (count == 0 || shown < count)) {
                Thread.sleep((long) (interval * 1000));
            }
        } while (interval > 0 && (count == 0 || shown < count));
        return 0;
    }

    private void print(List<QueueSize> sizes, List<StatisticsEntry> recent) {
        if (json) {
            printJson(sizes, totals(recent));
            return;
        }
        root.out().println("Queue (" + Instant.now() + ")");
        List<List<String>> rows = new ArrayList<>();
        for (QueueSize s : sizes.subList(0, Math.min(limit, sizes.size()))) {
            rows.add(List.of(s.entrypoint(), s.status().label(), Integer.toString(s.priority()), Long.toString(s.count())));
        }
        Table.print(root.out(), List.of("entrypoint", "status", "priority", "count"), rows);

        Map<String, Long> totals = totals(recent);
        root.out().println();
        root.out().println("Throughput, last " + window + " s");
        List<List<String>> throughput = new ArrayList<>();
        totals.entrySet().stream().limit(limit).forEach(t -> {
            String[] key = t.getKey().split("\u0000");
            throughput.add(List.of(key[0], key[1], Long.toString(t.getValue()),
                    String.format("%.2f", t.getValue() / (double) window)));
        });
        Table.print(root.out(), List.of("entrypoint", "status", "jobs", "jobs/s"), throughput);
    }

    /** Jobs per "entrypoint NUL status" over the window. */
    private static Map<String, Long> totals(List<StatisticsEntry> recent) {
        Map<String, Long> totals = new TreeMap<>();
        for (StatisticsEntry e : recent) {
            totals.merge(e.entrypoint() + "\u0000" + e.status().label(), e.count(), Long::sum);
        }
        return totals;
    }

    /** {"at", "window_seconds", "queue": [size rows], "throughput": [{entrypoint, status, count, per_second}]}. */
    private void printJson(List<QueueSize> sizes, Map<String, Long> totals) {
        var doc = Json.MAPPER.createObjectNode();
        doc.put("at", Json.time(Instant.now()));
        doc.put("window_seconds", window);
        var queue = doc.putArray("queue");
        sizes.stream().limit(limit).forEach(s -> queue.add(Json.size(s)));
        var throughput = doc.putArray("throughput");
        totals.entrySet().stream().limit(limit).forEach(t -> {
            String[] key = t.getKey().split("\u0000");
            throughput.addObject().put("entrypoint", key[0]).put("status", key[1]).put("count", t.getValue())
                    .put("per_second", t.getValue() / (double) window);
        });
        root.out().println(doc.toString());
        root.out().flush();
    }
}
