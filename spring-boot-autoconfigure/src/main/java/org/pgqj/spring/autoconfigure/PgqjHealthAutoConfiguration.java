package org.pgqj.spring.autoconfigure;

import java.util.Optional;
import org.pgqj.admin.DoctorOptions;
import org.pgqj.admin.QueueDoctor;
import org.pgqj.core.QueueTables;
import org.pgqj.worker.Worker;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/** The {@code pgqj} and {@code pgqjDoctor} health indicators, when Spring Boot's health support (Actuator) is on the classpath. */
@AutoConfiguration(after = PgqjAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(PgqjDataSources.class)
@ConditionalOnEnabledHealthIndicator("pgqj")
public class PgqjHealthAutoConfiguration {

    /** Health {@code pgqj} (management.health.pgqj.enabled=false turns it off). */
    @Bean
    @ConditionalOnMissingBean(name = "pgqjHealthIndicator")
    public PgqjHealthIndicator pgqjHealthIndicator(PgqjDataSources dataSources, QueueTables tables,
                                                   ObjectProvider<Worker> worker, PgqjProperties properties) {
        return new PgqjHealthIndicator(dataSources, tables, Optional.ofNullable(worker.getIfAvailable()),
                properties.getWorker().getHeartbeatTimeout());
    }

    /**
     * Health {@code pgqjDoctor}: the queue doctor's findings as details, never DOWN
     * (management.health.pgqj-doctor.enabled=false turns it off). The concurrency limits it compares the picked
     * rows with are those of {@code pgqj.entrypoints.<name>.concurrency-limit}.
     */
    @Bean
    @ConditionalOnMissingBean(name = "pgqjDoctorHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("pgqj-doctor")
    public PgqjDoctorHealthIndicator pgqjDoctorHealthIndicator(PgqjDataSources dataSources, QueueTables tables,
                                                               PgqjProperties properties) {
        DoctorOptions.Builder options = DoctorOptions.builder();
        properties.getEntrypoints().forEach((name, entrypoint) -> {
            if (entrypoint.getConcurrencyLimit() != null && entrypoint.getConcurrencyLimit() > 0) {
                options.concurrencyLimit(name, entrypoint.getConcurrencyLimit());
            }
        });
        return new PgqjDoctorHealthIndicator(dataSources, QueueDoctor.create(tables, options.build()));
    }
}
