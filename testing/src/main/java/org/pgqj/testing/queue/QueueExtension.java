package org.pgqj.testing.queue;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.PostgresExtension;

/**
 * The extension behind {@link QueueTest}: on the database {@link PostgresExtension} gives the test class, the
 * pgqueuer schema (default install: no prefix, schema {@code public}) is migrated before the first test and the
 * tables are emptied before each; a {@link TestQueue} parameter is resolved. Register it with
 * {@code @QueueTest}, or {@code @ExtendWith({PostgresExtension.class, QueueExtension.class})}.
 *
 * <p>The migration runs after the class's {@code @BeforeAll} methods (unless one of them takes the
 * {@link TestQueue}): an application's own migrations there run first, as on a fresh database in production, so
 * its Flyway finds an empty schema rather than pgqueuer's tables.
 */
public final class QueueExtension implements BeforeEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(QueueExtension.class);

    /** Made by JUnit. */
    public QueueExtension() {
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        queue(context).empty();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestQueue.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return queue(context);
    }

    /** The class's queue, migrated on first use (the database store is the class's, so it lives as long). */
    private static TestQueue queue(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent()) {
            classContext = classContext.getParent().orElseThrow();
        }
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(context.getRequiredTestClass(),
                c -> TestQueue.migrated(PostgresExtension.database(context).dataSource(),
                        QueueTables.defaults()), TestQueue.class);
    }
}
