package org.pgqj.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.core.Job;
import org.pgqj.core.JobStatus;
import org.pgqj.enqueue.NewJob;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.spring.PgqjHandler;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.Worker;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Graceful shutdown lets a running job finish; health follows the database going away and coming back;
 * a Python-style URL in pgqj.datasource.url configures the app's DataSource and the queue.
 */
@ExtendWith(PostgresExtension.class)
class PgqjLifecycleTest {

    /** A handler that runs for a while and says when it started and whether it finished. */
    static class SlowHandler {
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicBoolean finished = new AtomicBoolean();
        final AtomicBoolean interrupted = new AtomicBoolean();

        @PgqjHandler("slow")
        public void run(Job job) {
            started.countDown();
            try {
                Thread.sleep(3_000);
                finished.set(true);
            } catch (InterruptedException e) {
                interrupted.set(true);
                Thread.currentThread().interrupt();
            }
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        SlowHandler slowHandler() {
            return new SlowHandler();
        }
    }

    @Test
    void gracefulShutdownLetsTheRunningJobFinish(TestDatabase db) throws Exception {
        ConfigurableApplicationContext context = PgqjMisconfigurationTest.start(App.class, db,
                "spring.lifecycle.timeout-per-shutdown-phase=20s");
        SlowHandler handler = context.getBean(SlowHandler.class);
        var dsl = DSL.using(db.dataSource(), org.jooq.SQLDialect.POSTGRES);
        long id = context.getBean(JobQueue.class).enqueue(dsl, NewJob.builder("slow").build());
        assertThat(handler.started.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        long closing = System.nanoTime();
        context.close(); // Spring's shutdown: the lifecycle phase waits for the worker's graceful close
        Duration took = Duration.ofNanos(System.nanoTime() - closing);

        assertThat(handler.finished).as("the running job finished (closed after %s)", took).isTrue();
        assertThat(handler.interrupted).isFalse();
        assertThat(QueueAdmin.create(org.pgqj.core.QueueTables.defaults()).jobStatuses(dsl, List.of(id)))
                .containsEntry(id, JobStatus.SUCCESSFUL);
    }

    @Test
    void healthGoesDownWhenTheDatabaseIsGoneAndUpWhenItIsBack(TestDatabase db) throws Exception {
        try (ConfigurableApplicationContext context = PgqjMisconfigurationTest.start(App.class, db)) {
            HealthIndicator health = context.getBean("pgqjHealthIndicator", HealthIndicator.class);
            // the listener connects on its own thread just after start
            await().atMost(Duration.ofSeconds(20)).until(() -> health.health(true).getStatus().equals(Status.UP));
            try {
                // the database refuses new connections and every open one is cut: listener, pool, worker
                admin(db, "ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS false");
                admin(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db.name() + "'");
                await().atMost(Duration.ofSeconds(20)).until(() -> health.health(true).getStatus().equals(Status.DOWN));
                assertThat(context.getBean(Worker.class).isListening()).isFalse();
            } finally {
                admin(db, "ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS true");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> health.health(true).getStatus().equals(Status.UP));
            assertThat(health.health(true).getDetails()).containsEntry("listener", "up");
        }
    }

    @Test
    void aPollOnlyWorkerRunsJobsAndIsHealthyWithoutAListener(TestDatabase db) throws Exception {
        try (ConfigurableApplicationContext context = PgqjMisconfigurationTest.start(App.class, db,
                "pgqj.worker.listen=false", "pgqj.worker.poll-interval=200ms")) {
            Worker worker = context.getBean(Worker.class);
            assertThat(worker.options().listen()).isFalse();
            assertThat(worker.options().pollInterval()).isEqualTo(Duration.ofMillis(200));
            var dsl = DSL.using(db.dataSource(), org.jooq.SQLDialect.POSTGRES);
            context.getBean(JobQueue.class).enqueue(dsl, NewJob.builder("slow").build());
            assertThat(context.getBean(SlowHandler.class).started.await(20, java.util.concurrent.TimeUnit.SECONDS))
                    .as("claimed by polling").isTrue();
            Health health = context.getBean("pgqjHealthIndicator", HealthIndicator.class).health(true);
            assertThat(worker.isListening()).isFalse();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("listener", "off (poll-only, every PT0.2S)");
        }
    }

    @Test
    void pythonDatabaseUrlConfiguresTheAppAndTheQueue(TestDatabase db) throws Exception {
        // no spring.datasource.url: pgqj.datasource.url in the form a Python service keeps in DATABASE_URL
        try (ConfigurableApplicationContext context = new org.springframework.boot.builder.SpringApplicationBuilder(App.class)
                .web(org.springframework.boot.WebApplicationType.NONE)
                .run("--pgqj.datasource.url=" + db.postgresUrl().replace("postgresql://", "postgresql+asyncpg://"))) {
            var dataSource = context.getBean(javax.sql.DataSource.class);
            assertThat(dataSource).isInstanceOf(com.zaxxer.hikari.HikariDataSource.class);
            assertThat(context.getBean(PgqjDataSources.class).shared()).isSameAs(dataSource);
            SlowHandler handler = context.getBean(SlowHandler.class);
            var dsl = DSL.using(dataSource, org.jooq.SQLDialect.POSTGRES);
            context.getBean(JobQueue.class).enqueue(dsl, NewJob.builder("slow").build());
            assertThat(handler.started.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
    }

    private static void admin(TestDatabase db, String sql) throws Exception {
        // the server's maintenance database, not the test database that is being cut off
        String url = db.jdbcUrl().replace("/" + db.name(), "/postgres");
        try (Connection c = java.sql.DriverManager.getConnection(url, db.properties()); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
