package org.pgqj.spring.test;

import java.util.List;
import java.util.Map;
import org.pgqj.testing.TestDatabase;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Gives the context of a {@link PgqjTest} class a database of its own as {@code spring.datasource.*}, before
 * anything connects; it is dropped when the context closes. Registered in {@code META-INF/spring.factories}.
 */
public final class PgqjTestDatabaseCustomizerFactory implements ContextCustomizerFactory {

    /** Made by Spring's test framework. */
    public PgqjTestDatabaseCustomizerFactory() {
    }

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> configs) {
        return TestContextAnnotationUtils.hasAnnotation(testClass, PgqjTest.class) ? new DatabaseCustomizer() : null;
    }

    /** Every @PgqjTest context is alike here: the cache shares one context (and database) among equal configurations. */
    private static final class DatabaseCustomizer implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            TestDatabase database = TestDatabase.create(config.getTestClass().getSimpleName());
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("pgqjTestDatabase", Map.of(
                    "spring.datasource.url", database.jdbcUrl(),
                    "spring.datasource.username", database.user(),
                    "spring.datasource.password", database.password())));
            context.addApplicationListener((ApplicationListener<ContextClosedEvent>) event -> {
                if (event.getApplicationContext() == context) {
                    database.drop();
                }
            });
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof DatabaseCustomizer;
        }

        @Override
        public int hashCode() {
            return DatabaseCustomizer.class.hashCode();
        }
    }
}
