package org.pgqj.spring.test;

import org.pgqj.core.QueueTables;
import org.pgqj.spring.autoconfigure.PgqjAutoConfiguration;
import org.pgqj.spring.autoconfigure.PgqjDataSources;
import org.pgqj.testing.queue.TestQueue;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@link TestQueue} bean of a {@link PgqjTest}: on the data source and install the app's queue uses. Imported
 * by {@code @PgqjTest} only, never by an application.
 */
@AutoConfiguration(after = PgqjAutoConfiguration.class)
public class PgqjTestAutoConfiguration {

    /** Made by Spring. */
    public PgqjTestAutoConfiguration() {
    }

    /** The kit on the app's queue: enqueue assertions, awaiting the worker, the queue clock. */
    @Bean
    @ConditionalOnMissingBean
    public TestQueue pgqjTestQueue(PgqjDataSources dataSources, QueueTables tables) {
        return TestQueue.of(dataSources.shared(), tables);
    }
}
