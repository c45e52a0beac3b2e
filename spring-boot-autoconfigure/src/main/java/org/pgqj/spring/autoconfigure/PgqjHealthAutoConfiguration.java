package org.pgqj.spring.autoconfigure;

import java.util.Optional;
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

/** The {@code pgqj} health indicator, when Spring Boot's health support (Actuator) is on the classpath. */
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
}
