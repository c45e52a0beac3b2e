package org.pgqj.spring.test;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.pgqj.testing.queue.TestQueue;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * The JUnit side of {@link PgqjTest}: empties the queue tables of the test's application context before each
 * test, and resolves {@link TestQueue} parameters from it.
 */
public final class PgqjTestExtension implements BeforeEachCallback, ParameterResolver {

    /** Made by JUnit. */
    public PgqjTestExtension() {
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

    private static TestQueue queue(ExtensionContext context) {
        return SpringExtension.getApplicationContext(context).getBean(TestQueue.class);
    }
}
