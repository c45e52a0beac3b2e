package org.pgqj.worker;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.PostgresExtension;

/**
 * The extension behind {@link MigratedQueueTest}, read alike with pgqj-testing's {@code QueueExtension}: the
 * default install is migrated on first use (before the first test, or when a {@code @BeforeAll} asks for the
 * {@link TestJobs}) and its queue and log tables are emptied before each test.
 */
public final class MigratedQueueExtension implements BeforeEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(MigratedQueueExtension.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        jobs(context).empty();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestJobs.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return jobs(context);
    }

    /** The class's jobs, the schema migrated on first use (kept in the class's store, as long as its database). */
    private static TestJobs jobs(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent()) {
            classContext = classContext.getParent().orElseThrow();
        }
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(context.getRequiredTestClass(), c -> {
            DataSource dataSource = PostgresExtension.database(context).dataSource();
            PgqueuerSchema.forDataSource(dataSource).migrate();
            return new TestJobs(dataSource, QueueTables.defaults());
        }, TestJobs.class);
    }
}
