package org.pgqj.spring.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import org.pgqj.core.QueueTables;
import org.pgqj.metrics.PgqueuerGauges;
import org.pgqj.metrics.WorkerMetrics;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The worker's meters ({@code pgqj.*}) and pgqueuer's database gauges ({@code pgqueuer_queue_count},
 * {@code pgqueuer_logs_count}) on the app's {@link MeterRegistry}, when the app has pgqj-metrics and a
 * registry (Actuator's). {@code pgqj.metrics.enabled=false} turns both off,
 * {@code pgqj.metrics.database-gauges=false} only the gauges.
 */
@AutoConfiguration(after = PgqjAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnClass({MeterRegistry.class, WorkerMetrics.class})
@ConditionalOnBean({MeterRegistry.class, PgqjDataSources.class})
@ConditionalOnProperty(prefix = "pgqj.metrics", name = "enabled", matchIfMissing = true)
public class PgqjMetricsAutoConfiguration {

    /** Interceptor and observer of the worker: it times handlers and counts outcomes, claims and flushes. */
    @Bean
    @ConditionalOnMissingBean
    @Order(Ordered.HIGHEST_PRECEDENCE + 20) // inside the tracing span, so its timer sees what the span sees
    public WorkerMetrics pgqjWorkerMetrics(MeterRegistry registry) {
        return WorkerMetrics.create(registry);
    }

    /** pgqueuer's two gauges, read again every {@code pgqj.metrics.refresh-interval}. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "pgqj.metrics", name = "database-gauges", matchIfMissing = true)
    public PgqjDatabaseGauges pgqjDatabaseGauges(MeterRegistry registry, PgqjDataSources dataSources, QueueTables tables,
                                                 PgqjProperties properties, PgqjSchemaInitializer schema) {
        PgqjProperties.Metrics metrics = properties.getMetrics();
        if (metrics.getRefreshInterval() == null || metrics.getRefreshInterval().isNegative()
                || metrics.getRefreshInterval().isZero()) {
            throw new PgqjStartupException("pgqj.metrics.refresh-interval must be positive (got "
                    + metrics.getRefreshInterval() + "), e.g. 15s");
        }
        PgqueuerGauges gauges;
        try {
            gauges = PgqueuerGauges.register(registry, dataSources.shared(), tables, metrics.getWindow());
        } catch (IllegalArgumentException e) {
            throw new PgqjStartupException("pgqj.metrics.window: " + e.getMessage(), e);
        }
        return new PgqjDatabaseGauges(gauges, metrics.getRefreshInterval());
    }
}
