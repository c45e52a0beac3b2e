package org.pgqj.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.pgqj.metrics.PgqueuerGauges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code pgqj metrics}: pgqueuer's Prometheus gauges, read once from the database and printed. */
@Command(name = "metrics", description = "Print pgqueuer_queue_count and pgqueuer_logs_count (Prometheus text) once.")
final class MetricsCommand implements Callable<Integer> {

    @ParentCommand
    PgqjCli root;

    @Option(names = "--last", defaultValue = "300", paramLabel = "SECONDS",
            description = "Window of pgqueuer_logs_count (default 300, pgqueuer's 5 minutes).")
    long lastSeconds;

    @Override
    public Integer call() {
        if (lastSeconds <= 0) {
            throw new CliException("--last must be a positive number of seconds, not " + lastSeconds);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PgqueuerGauges.register(registry, root.installedDataSource(), root.tables(), Duration.ofSeconds(lastSeconds)).refresh();
        root.out().print(registry.scrape());
        root.out().flush();
        return 0;
    }
}
