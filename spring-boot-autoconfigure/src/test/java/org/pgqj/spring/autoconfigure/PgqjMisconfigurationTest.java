package org.pgqj.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.pgqj.core.Job;
import org.pgqj.payload.Entrypoint;
import org.pgqj.spring.PgqjHandler;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.JobHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Each mistake fails startup with a message that names the bean or property. These run SpringApplication
 * directly: a context that must fail to start cannot be a {@code @SpringBootTest}.
 */
@ExtendWith(PostgresExtension.class)
class PgqjMisconfigurationTest {

    @Entrypoint("index_article")
    record IndexArticle(long articleId) {
    }

    static class Indexer {
        @PgqjHandler("index_article")
        public void index(IndexArticle article) {
        }
    }

    static class OtherIndexer {
        @PgqjHandler("index_article")
        public void alsoIndex(Job job) {
        }
    }

    static class MisnamedIndexer {
        @PgqjHandler("reindex")
        public void index(IndexArticle article) {
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Base {
    }

    @Import(Base.class)
    static class Duplicate {
        @Bean Indexer indexer() {
            return new Indexer();
        }

        @Bean OtherIndexer otherIndexer() {
            return new OtherIndexer();
        }
    }

    @Import(Base.class)
    static class One {
        @Bean Indexer indexer() {
            return new Indexer();
        }
    }

    @Import(Base.class)
    static class Misnamed {
        @Bean MisnamedIndexer misnamedIndexer() {
            return new MisnamedIndexer();
        }
    }

    @Import(Base.class)
    static class UnnamedJobHandler {
        @Bean JobHandler anonymous() {
            return (job, ctx) -> { };
        }
    }

    @Test
    void duplicateEntrypointNamesBothBeans(TestDatabase db) {
        assertThat(failure(Duplicate.class, db)).contains("Entrypoint 'index_article' has two handlers")
                .contains("bean 'indexer' method Indexer.index(IndexArticle)")
                .contains("bean 'otherIndexer' method OtherIndexer.alsoIndex(Job)");
    }

    @Test
    void unknownEntrypointPropertyIsNamed(TestDatabase db) {
        assertThat(failure(One.class, db, "pgqj.entrypoints.index_artcle.concurrency-limit=2"))
                .contains("pgqj.entrypoints.index_artcle configure entrypoints that no handler serves")
                .contains("[index_article]");
    }

    @Test
    void payloadTypeOfAnotherEntrypointIsNamed(TestDatabase db) {
        assertThat(failure(Misnamed.class, db)).contains("bean 'misnamedIndexer' method MisnamedIndexer.index(IndexArticle)")
                .contains("@PgqjHandler(\"reindex\")").contains("@Entrypoint(\"index_article\")");
    }

    @Test
    void jobHandlerBeanWithoutEntrypointIsNamed(TestDatabase db) {
        assertThat(failure(UnnamedJobHandler.class, db)).contains("JobHandler bean 'anonymous' names no entrypoint");
    }

    @Test
    void workerWithoutHandlersSaysHowToTurnItOff(TestDatabase db) {
        assertThat(failure(Base.class, db)).contains("no handler").contains("pgqj.worker.enabled=false");
    }

    @Test
    void invalidWorkerOptionNamesTheValue(TestDatabase db) {
        assertThat(failure(One.class, db, "pgqj.worker.batch-size=0")).contains("batchSize must be at least 1, got 0");
    }

    @Test
    void missingSchemaWithMigrateOffFailsWithWhatIsMissing(TestDatabase db) {
        // migrate=false where the queue schema was never installed (the class's database is shared by its
        // tests, so a schema of its own): verify() lists the missing objects
        assertThat(failure(One.class, db, "pgqj.schema.migrate=false", "pgqj.schema.name=never_installed"))
                .contains("pgqj.schema.migrate=false and the queue schema is not complete").contains("pgqueuer");
    }

    @Test
    void enqueueOnlyPodStartsWithoutHandlers(TestDatabase db) {
        try (ConfigurableApplicationContext context = start(Base.class, db, "pgqj.worker.enabled=false")) {
            assertThat(context.getBeanNamesForType(org.pgqj.worker.Worker.class)).isEmpty();
            assertThat(context.getBean(org.pgqj.enqueue.JobQueue.class)).isNotNull();
        }
    }

    @Test
    void metricsRefreshIntervalMustBePositive(TestDatabase db) {
        assertThat(failure(One.class, db, "pgqj.metrics.refresh-interval=0s"))
                .contains("pgqj.metrics.refresh-interval must be positive (got PT0S)");
    }

    @Test
    void retentionOlderThanMustBePositive(TestDatabase db) {
        assertThat(failure(Base.class, db, "pgqj.worker.enabled=false", "pgqj.retention.older-than=0s"))
                .contains("pgqj.retention.older-than=PT0S").contains("must be positive");
    }

    @Test
    void invalidRetentionCronNamesTheProperty(TestDatabase db) {
        assertThat(failure(Base.class, db, "pgqj.worker.enabled=false", "pgqj.retention.older-than=7d",
                "pgqj.retention.cron=every hour")).contains("pgqj.retention.cron: Invalid cron expression 'every hour'");
    }

    @Test
    void metricsAndTracingSwitchOff(TestDatabase db) {
        try (ConfigurableApplicationContext context = start(Base.class, db, "pgqj.worker.enabled=false",
                "pgqj.metrics.enabled=false")) {
            assertThat(context.getBeanNamesForType(org.pgqj.metrics.WorkerMetrics.class)).isEmpty();
            assertThat(context.getBeanNamesForType(PgqjDatabaseGauges.class)).isEmpty();
            // Actuator's registry is there, but without pgqueuer's gauges
            assertThat(context.getBean(io.micrometer.core.instrument.MeterRegistry.class)
                    .find(org.pgqj.metrics.PgqueuerGauges.QUEUE_COUNT).meters()).isEmpty();
        }
        try (ConfigurableApplicationContext context = start(Base.class, db, "pgqj.worker.enabled=false")) {
            assertThat(context.getBeanNamesForType(org.pgqj.metrics.WorkerMetrics.class)).hasSize(1);
            assertThat(context.getBeanNamesForType(PgqjDatabaseGauges.class)).hasSize(1);
        }
    }

    static ConfigurableApplicationContext start(Class<?> app, TestDatabase db, String... properties) {
        return new SpringApplicationBuilder(app).web(WebApplicationType.NONE)
                .run(TestDatabases.args(db, properties).toArray(String[]::new));
    }

    /** The message of the {@link PgqjStartupException} that fails {@code app}'s startup (or of the root cause). */
    static String failure(Class<?> app, TestDatabase db, String... properties) {
        Throwable[] thrown = new Throwable[1];
        assertThatThrownBy(() -> {
            try {
                start(app, db, properties).close();
            } catch (Throwable t) {
                thrown[0] = t;
                throw t;
            }
        }).isNotNull();
        Throwable root = thrown[0];
        while (root.getCause() != null && !(root instanceof PgqjStartupException)) {
            root = root.getCause();
        }
        return root.getMessage();
    }

}
