package org.pgqj.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.RetryPolicy;
import org.springframework.context.ConfigurableApplicationContext;

/** {@code pgqj.entrypoint-defaults.retry.no-retry-for} and {@code pgqj.entrypoints.<name>.retry.no-retry-for}. */
@ExtendWith(PostgresExtension.class)
class PgqjNoRetryForTest {

    @Test
    void classNamesBecomeTheRetryPolicysNoRetryForAddedToTheDefaults(TestDatabase db) {
        try (ConfigurableApplicationContext context = PgqjMisconfigurationTest.start(PgqjMisconfigurationTest.One.class, db,
                "pgqj.entrypoint-defaults.retry.no-retry-for=java.lang.IllegalArgumentException",
                "pgqj.entrypoint-defaults.retry.max-attempts=4",
                "pgqj.entrypoints.index_article.retry.no-retry-for=java.lang.IllegalStateException, java.io.UncheckedIOException",
                "pgqj.entrypoints.index_article.retry.initial-delay=2s")) {
            PgqjProperties properties = context.getBean(PgqjProperties.class);
            RetryPolicy policy = properties.entrypointOptions("index_article").retryPolicy();
            assertThat(policy.noRetryFor()).isEqualTo(List.of(IllegalArgumentException.class, IllegalStateException.class,
                    java.io.UncheckedIOException.class));
            assertThat(policy.maxAttempts()).isEqualTo(4);
            assertThat(policy.initialDelay()).isEqualTo(Duration.ofSeconds(2));
            assertThat(properties.entrypointOptions("another").retryPolicy().noRetryFor())
                    .isEqualTo(List.of(IllegalArgumentException.class));
        }
    }

    @Test
    void anUnknownClassFailsTheStartupNamingThePropertyAndValue(TestDatabase db) {
        // prefixed by the handler whose options they are
        assertThat(failure(db, "pgqj.entrypoints.index_article.retry.no-retry-for=com.example.CardDeclined"))
                .isEqualTo("bean 'indexer' method Indexer.index(IndexArticle): "
                        + "pgqj.entrypoints.index_article.retry.no-retry-for names 'com.example.CardDeclined', which is "
                        + "not a class on the class path; give the fully qualified name of an exception, e.g. "
                        + "java.lang.IllegalArgumentException");
        assertThat(failure(db, "pgqj.entrypoint-defaults.retry.no-retry-for=IllegalArgumentException"))
                .contains("pgqj.entrypoint-defaults.retry.no-retry-for names 'IllegalArgumentException', which is not a class");
    }

    @Test
    void aClassThatIsNoExceptionFailsTheStartup(TestDatabase db) {
        assertThat(failure(db, "pgqj.entrypoints.index_article.retry.no-retry-for=java.lang.String"))
                .isEqualTo("bean 'indexer' method Indexer.index(IndexArticle): "
                        + "pgqj.entrypoints.index_article.retry.no-retry-for names 'java.lang.String', which is not an "
                        + "exception (a Throwable); give the fully qualified name of an exception class");
    }

    private static String failure(TestDatabase db, String... properties) {
        return PgqjMisconfigurationTest.failure(PgqjMisconfigurationTest.One.class, db, properties);
    }
}
