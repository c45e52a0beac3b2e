package org.pgqj.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.core.Job;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schema.ControlsSchema;
import org.pgqj.spring.PgqjHandler;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.Worker;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * pgqj.controls.install installs pgqj's control tables at startup; pgqj.worker.paused-entrypoints starts the app's
 * worker with those entrypoints off; the QueueAdmin bean pauses and resumes for every Java worker.
 */
@ExtendWith(PostgresExtension.class)
class PgqjPauseTest {

    static final AtomicInteger MAIL = new AtomicInteger();
    static final AtomicInteger REPORT = new AtomicInteger();

    static class Handlers {
        @PgqjHandler("mail")
        public void mail(Job job) {
            MAIL.incrementAndGet();
        }

        @PgqjHandler("report")
        public void report(Job job) {
            REPORT.incrementAndGet();
        }
    }

    @Import(PgqjMisconfigurationTest.Base.class)
    static class App {
        @Bean Handlers handlers() {
            return new Handlers();
        }
    }

    @Test
    void propertiesInstallTheTablesAndStartTheWorkerPausedAndTheAdminBeanPausesTheFleet(TestDatabase db) {
        assertThat(ControlsSchema.forDataSource(db.dataSource()).isInstalled()).isFalse();
        try (ConfigurableApplicationContext context = PgqjMisconfigurationTest.start(App.class, db,
                "pgqj.controls.install=true", "pgqj.worker.paused-entrypoints=mail",
                "pgqj.worker.pause-recheck-interval=10m", "pgqj.worker.dequeue-timeout=10m")) {
            assertThat(ControlsSchema.forDataSource(db.dataSource()).isInstalled()).isTrue();
            Worker worker = context.getBean(Worker.class);
            assertThat(worker.options().pauseRecheckInterval()).isEqualTo(Duration.ofMinutes(10));
            JobQueue queue = context.getBean(JobQueue.class);
            var dsl = QueueTables.defaults().dsl(db.dataSource());
            queue.enqueue(dsl, NewJob.of("mail", "{}".getBytes(StandardCharsets.UTF_8)));
            queue.enqueue(dsl, NewJob.of("report", "{}".getBytes(StandardCharsets.UTF_8)));
            await().atMost(Duration.ofSeconds(30)).until(() -> REPORT.get() == 1);
            assertThat(worker.pausedEntrypoints()).isEqualTo(Set.of("mail"));
            assertThat(MAIL.get()).isZero();

            QueueAdmin admin = context.getBean(QueueAdmin.class);
            dsl.transaction(cfg -> admin.pause(DSL.using(cfg), "report", "spring test"));
            await().atMost(Duration.ofSeconds(30)).until(() -> worker.pausedEntrypoints().equals(Set.of("mail", "report")));
            dsl.transaction(cfg -> admin.resume(DSL.using(cfg), "report", "spring test"));
            await().atMost(Duration.ofSeconds(30)).until(() -> worker.pausedEntrypoints().equals(Set.of("mail")));
            assertThat(worker.resume("mail")).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> MAIL.get() == 1);
        }
    }

    @Test
    void anUnknownPausedEntrypointStopsTheStartNamingTheProperty(TestDatabase db) {
        Throwable thrown = null;
        try (ConfigurableApplicationContext ignored = PgqjMisconfigurationTest.start(App.class, db,
                "pgqj.worker.paused-entrypoints=nope")) {
            // not reached
        } catch (RuntimeException e) {
            thrown = e;
        }
        assertThat(thrown).isNotNull();
        Throwable root = thrown;
        while (root.getCause() != null && !(root instanceof PgqjStartupException)) {
            root = root.getCause();
        }
        assertThat(root.getMessage()).contains("pgqj.worker.paused-entrypoints").contains("'nope'");
    }
}
