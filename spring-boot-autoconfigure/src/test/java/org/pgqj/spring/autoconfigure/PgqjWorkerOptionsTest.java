package org.pgqj.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.Job;
import org.pgqj.spring.PgqjHandler;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.FailureLogging;
import org.pgqj.worker.Worker;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The worker's shutdown timeout against Spring's shutdown phase (a margin by default, an explicit value kept
 * with a WARN when the phase cannot wait for it) and pgqj.worker.failure-log.* bound to its FailureLogging.
 */
@ExtendWith({PostgresExtension.class, OutputCaptureExtension.class})
class PgqjWorkerOptionsTest {

    static class Handler {
        @PgqjHandler("noop")
        public void run(Job job) {
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        Handler handler() {
            return new Handler();
        }
    }

    private static Worker worker(TestDatabase db, String... properties) {
        try (ConfigurableApplicationContext context = PgqjMisconfigurationTest.start(App.class, db, properties)) {
            return context.getBean(Worker.class);
        }
    }

    @Test
    void theDefaultShutdownTimeoutLeavesThePhaseAMargin(TestDatabase db, CapturedOutput log) {
        assertThat(worker(db).options().shutdownTimeout()).isEqualTo(Duration.ofSeconds(25));
        assertThat(worker(db, "spring.lifecycle.timeout-per-shutdown-phase=2m").options().shutdownTimeout())
                .isEqualTo(Duration.ofSeconds(115));
        assertThat(worker(db, "spring.lifecycle.timeout-per-shutdown-phase=10s").options().shutdownTimeout())
                .isEqualTo(Duration.ofSeconds(8));
        assertThat(log).doesNotContain("is not shorter than spring.lifecycle.timeout-per-shutdown-phase");
    }

    @Test
    void anExplicitShutdownTimeoutIsKeptAndOneThePhaseCannotWaitForIsWarnedAbout(TestDatabase db, CapturedOutput log) {
        assertThat(worker(db, "pgqj.worker.shutdown-timeout=12s").options().shutdownTimeout())
                .isEqualTo(Duration.ofSeconds(12));
        assertThat(log).doesNotContain("is not shorter than");
        assertThat(worker(db, "pgqj.worker.shutdown-timeout=30s").options().shutdownTimeout())
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(log).contains("WARN").contains("pgqj.worker.shutdown-timeout=PT30S is not shorter than "
                + "spring.lifecycle.timeout-per-shutdown-phase=PT30S: at shutdown Spring stops waiting for the worker "
                + "first and reports its lifecycle bean as timed out while jobs may still run");
    }

    @Test
    void failureLogPropertiesBindToTheWorkersFailureLogging(TestDatabase db) {
        assertThat(worker(db).options().failureLogging()).isEqualTo(FailureLogging.defaults());
        assertThat(worker(db, "pgqj.worker.failure-log.retry-level=info", "pgqj.worker.failure-log.final-level=warn",
                "pgqj.worker.failure-log.flood-threshold=3", "pgqj.worker.failure-log.flood-interval=5m",
                "pgqj.worker.failure-log.stack-trace=false").options().failureLogging())
                .isEqualTo(new FailureLogging(FailureLogging.Level.INFO, FailureLogging.Level.WARN, 3,
                        Duration.ofMinutes(5), false));
        assertThat(worker(db, "pgqj.worker.failure-log.enabled=false").options().failureLogging().isOff()).isTrue();
    }
}
