package org.pgqj.testing;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger(PostgresExtension.class);
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
        PostgresServer server = PostgresServers.shared();
        String simple = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        String name = "pgqj_" + simple.substring(0, Math.min(simple.length(), 40)) + "_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (var admin = server.connectAdmin(); Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + name); // name is built from [a-z0-9_] only
        } catch (SQLException e) {
            throw new ParameterResolutionException("Could not create test database " + name + " on "
                    + server.describe() + ": " + e.getMessage(), e);
        }
        LOG.debug("Created test database {} for {}", name, testClass.getName());
        return new TestDatabase(server, name);
    }

    /** Drops the database when the class's store closes, after its last test. */
    private record CreatedDatabase(TestDatabase database) implements AutoCloseable {
        @Override
        public void close() {
            PostgresServer server = PostgresServers.shared();
            try (var admin = server.connectAdmin(); Statement st = admin.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + database.name() + " WITH (FORCE)");
            } catch (SQLException e) {
                LOG.warn("Could not drop test database {}: {}", database.name(), e.getMessage());
            }
        }
    }
}
