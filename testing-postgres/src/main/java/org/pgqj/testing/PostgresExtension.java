package org.pgqj.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives each test class its own, empty PostgreSQL database and injects it as a
 * {@link TestDatabase} parameter (constructor, lifecycle or test method).
 *
 * <p>The server is found once per JVM: the JDBC URL in {@code PGQUEUER_TEST_JDBC_URL} if set
 * (its user must be allowed to create databases); else Testcontainers when a Docker engine answers;
 * else an embedded PostgreSQL 15. The choice is logged at INFO. Each database is dropped after its
 * class, so tests never see each other's rows.
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class MyHandlerTest {
 *     @Test
 *     void runs(TestDatabase db) { ... db.dataSource() ... }
 * }
 * }</pre>
 */
public final class PostgresExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        database(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return database(context);
    }

    /**
     * The database of {@code context}'s test class, created on first use and dropped after the class: for
     * extensions that build on this one (the queue kit of {@code pgqj-testing} migrates it).
     */
    public static TestDatabase database(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        ExtensionContext classContext = context;
        while (classContext.getTestClass().isPresent() && classContext.getTestMethod().isPresent()) {
            classContext = classContext.getParent().orElseThrow();
        }
        return classContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent(testClass, c -> new CreatedDatabase(create(testClass)), CreatedDatabase.class)
                .database();
    }

    private static TestDatabase create(Class<?> testClass) {
        try {
            return TestDatabase.create(testClass.getSimpleName());
        } catch (IllegalStateException e) {
            throw new ParameterResolutionException(e.getMessage() + " (for " + testClass.getName() + ")", e);
        }
    }

    /** Drops the database when the class's store closes, after its last test. */
    private record CreatedDatabase(TestDatabase database) implements AutoCloseable {
        @Override
        public void close() {
            database.drop();
        }
    }
}
