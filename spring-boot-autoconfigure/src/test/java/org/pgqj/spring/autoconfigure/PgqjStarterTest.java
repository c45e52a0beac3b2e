package org.pgqj.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jooq.DSLContext;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.core.Job;
import org.pgqj.core.JobStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schedule.ScheduleContext;
import org.pgqj.schedule.Scheduler;
import org.pgqj.schedule.Schedules;
import org.pgqj.spring.PgqjHandler;
import org.pgqj.spring.PgqjSchedule;
import org.pgqj.spring.TransactionalJobQueue;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.JobHandler;
import org.pgqj.worker.Worker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter in a Spring Boot app with jOOQ, Flyway (an app migration of its own) and Actuator, on real
 * PostgreSQL: beans, both migrations, handlers and schedules, transactions with and without jOOQ,
 * properties, health.
 */
@ExtendWith(PostgresExtension.class)
@SpringBootTest(classes = PgqjStarterTest.App.class, properties = {
        "pgqj.worker.batch-size=7",
        "pgqj.worker.max-concurrent-jobs=5",
        "pgqj.worker.heartbeat-timeout=20s",
        "pgqj.worker.statistics-interval=0s",
        "pgqj.entrypoint-defaults.retry.max-attempts=2",
        "pgqj.entrypoints.index_article.concurrency-limit=2",
        "pgqj.entrypoints.index_article.on-failure=hold",
        "pgqj.entrypoints.index_article.timeout=90s",
        "pgqj.entrypoints.raw_ping.requests-per-second=50",
        "pgqj.entrypoints.raw_ping.retry.max-attempts=0"})
@DirtiesContext
class PgqjStarterTest {

    private static TestDatabase db;

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
    }

    @DynamicPropertySource
    static void datasource(DynamicPropertyRegistry registry) {
        TestDatabases.register(registry, () -> db);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        final List<Long> pings = new CopyOnWriteArrayList<>();
        final List<ScheduleContext> ticks = new CopyOnWriteArrayList<>();

        @Bean
        Blog blog(DSLContext dsl, JobQueue queue, TransactionalJobQueue jobs, JdbcTemplate jdbc) {
            return new Blog(dsl, queue, jobs, jdbc);
        }

        // tag::beans[]
        @Bean
        @PgqjHandler("raw_ping")
        JobHandler rawPing() {
            return (Job job, org.pgqj.worker.JobContext ctx) -> pings.add(job.id());
        }

        @PgqjSchedule(entrypoint = "every_second", cron = "* * * * * *")
        public void tick(ScheduleContext context) {
            ticks.add(context);
        }
        // end::beans[]
    }

    @Autowired App app;
    @Autowired Blog blog;
    @Autowired DSLContext dsl;
    @Autowired JdbcTemplate jdbc;
    @Autowired QueueTables tables;
    @Autowired JobQueue queue;
    @Autowired QueueAdmin admin;
    @Autowired Worker worker;
    @Autowired Scheduler scheduler;
    @Autowired PgqjProperties properties;
    @Autowired PgqjDataSources dataSources;
    @Autowired HealthIndicator pgqjHealthIndicator;

    @Test
    void bothMigrationsRanEachWithItsOwnHistory() {
        assertThat(jdbc.queryForList("SELECT script FROM flyway_schema_history WHERE success ORDER BY installed_rank", String.class))
                .containsExactly("V1__article.sql");
        // the queue's history knows only its own migrations (after a baseline at 0: the app's table was there first)
        assertThat(jdbc.queryForList("SELECT script FROM pgqueuer_schema_history WHERE success ORDER BY installed_rank", String.class))
                .contains("V1__pgqueuer_1_6_0.sql").noneMatch(s -> s.contains("article"));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM pgqueuer", Long.class)).isNotNull();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM article", Long.class)).isNotNull();
    }

    @Test
    void jooqEnqueueCommitsWithTheAppsWrite() {
        long article = blog.publishWithJooq("committed with jOOQ", false);
        await().atMost(Duration.ofSeconds(10)).until(() -> blog.indexed().contains(article));
        assertThat(jdbc.queryForObject("SELECT status FROM article WHERE id = ?", String.class, article)).isEqualTo("published");
    }

    @Test
    void jooqRollbackLeavesNoJobAndNoRow() {
        long jobsBefore = loggedJobs();
        assertThatThrownBy(() -> blog.publishWithJooq("rolled back with jOOQ", true)).isInstanceOf(IllegalStateException.class);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM article WHERE title = 'rolled back with jOOQ'", Long.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM pgqueuer WHERE entrypoint = 'index_article' AND status = 'queued'", Long.class)).isZero();
        assertThat(loggedJobs()).isEqualTo(jobsBefore); // not even a 'queued' log row survived
    }

    @Test
    void transactionalJobQueueCommitsAndRollsBackWithJdbcTemplate() {
        long article = blog.publishWithJdbc("committed with JdbcTemplate", false);
        await().atMost(Duration.ofSeconds(10)).until(() -> blog.indexed().contains(article));

        long jobsBefore = loggedJobs();
        assertThatThrownBy(() -> blog.publishWithJdbc("rolled back with JdbcTemplate", true)).isInstanceOf(IllegalStateException.class);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM article WHERE title = 'rolled back with JdbcTemplate'", Long.class)).isZero();
        assertThat(loggedJobs()).isEqualTo(jobsBefore);
    }

    @Test
    void jobHandlerBeanRunsAndJobsEndSuccessful() {
        long id = queue.enqueue(dsl, NewJob.builder("raw_ping").build());
        await().atMost(Duration.ofSeconds(10)).until(() -> app.pings.contains(id));
        await().atMost(Duration.ofSeconds(5)).until(() -> admin.jobStatuses(dsl, List.of(id)).get(id) == JobStatus.SUCCESSFUL);
    }

    @Test
    void scheduleMethodRegistersAndTicks() {
        assertThat(Schedules.list(tables, dsl)).anyMatch(s -> s.entrypoint().equals("every_second"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !app.ticks.isEmpty());
        assertThat(app.ticks.getFirst().entrypoint()).isEqualTo("every_second");
    }

    @Test
    void propertiesBindToWorkerAndEntrypointOptions() {
        assertThat(worker.options().batchSize()).isEqualTo(7);
        assertThat(worker.options().maxConcurrentJobs()).isEqualTo(5);
        assertThat(worker.options().heartbeatTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(admin.heartbeatTimeout()).as("cancel counts workers alive by theirs").isEqualTo(Duration.ofSeconds(20));
        assertThat(worker.options().statisticsInterval()).isZero();
        // unset: Spring's default phase timeout (30 s) minus the 5 s margin its stop needs inside the phase
        assertThat(worker.options().shutdownTimeout()).isEqualTo(Duration.ofSeconds(25));
        assertThat(worker.options().shutdownHook()).isFalse();

        EntrypointOptions index = properties.entrypointOptions("index_article");
        assertThat(index.concurrencyLimit()).isEqualTo(2);
        assertThat(index.onFailure()).isEqualTo(EntrypointOptions.OnFailure.HOLD);
        assertThat(index.retryPolicy().maxAttempts()).isEqualTo(2); // from entrypoint-defaults
        assertThat(index.timeout()).contains(Duration.ofSeconds(90));
        EntrypointOptions ping = properties.entrypointOptions("raw_ping");
        assertThat(ping.requestsPerSecond()).contains(50.0);
        assertThat(ping.retryPolicy().maxAttempts()).isZero(); // its own override wins
        assertThat(ping.concurrencyLimit()).isZero();
        assertThat(ping.timeout()).isEmpty();
    }

    @Test
    void workerUsesConnectionsOfItsOwnNotThePool() {
        assertThat(worker.isListening()).isTrue();
        assertThat(dataSources.dedicated()).isInstanceOf(org.postgresql.ds.common.BaseDataSource.class);
        assertThat(dataSources.shared()).isInstanceOf(com.zaxxer.hikari.HikariDataSource.class);
        // the LISTEN connection is a physical connection of its own, named after the worker
        assertThat(jdbc.queryForObject("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                + "AND application_name = ?", Long.class, worker.listenerApplicationName())).isEqualTo(1);
        // and nothing of the worker holds a pooled connection while it waits for jobs
        var pool = ((com.zaxxer.hikari.HikariDataSource) dataSources.shared()).getHikariPoolMXBean();
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.getActiveConnections() == 0);
    }

    @Test
    void healthIsUpWithDetails() {
        Health health = pgqjHealthIndicator.health(true);
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("listener", "up").containsEntry("schema", "complete")
                .containsEntry("stalePickedJobs", 0);
    }

    @Autowired HealthIndicator pgqjDoctorHealthIndicator;

    @Test
    @SuppressWarnings("unchecked")
    void doctorHealthReportsTheFleetAndStaysUp() {
        // another worker declared index_article's limit higher than this app's 2: its job runs in slot 3
        long id = jdbc.queryForObject("INSERT INTO pgqueuer (priority, entrypoint, payload, status, heartbeat, slot, "
                + "queue_manager_id) VALUES (0, 'index_article', NULL, 'picked', now(), 3, gen_random_uuid()) RETURNING id",
                Long.class);
        try {
            Health health = pgqjDoctorHealthIndicator.health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("status", "warning");
            List<Map<String, String>> findings = (List<Map<String, String>>) health.getDetails().get("findings");
            assertThat(findings).anySatisfy(f -> assertThat(f).containsEntry("check", "concurrency_limit")
                    .containsEntry("subject", "index_article")
                    .hasEntrySatisfying("problem", p -> assertThat(p).startsWith("1 running job holds slots up to 3 "
                            + "while this application declares a limit of 2: another worker declares a higher one, and "
                            + "pgqueuer lets the highest win. Running them: queue manager ")));
        } finally {
            jdbc.update("DELETE FROM pgqueuer WHERE id = ?", id);
        }
    }

    private long loggedJobs() {
        return jdbc.queryForObject("SELECT count(*) FROM pgqueuer_log WHERE status = 'queued'", Long.class);
    }
}
