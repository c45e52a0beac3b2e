package org.pgqj.worker;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.PostgresExtension;

/**
 * queue's own {@code @QueueTest} (the kit in pgqj-testing depends on this module, so queue cannot use it): a
 * database per test class, the default install (no prefix, schema {@code public}) migrated into it once, and
 * the queue and log tables emptied before each test. Test and lifecycle methods may take the class's
 * {@link TestJobs} and its {@link org.pgqj.testing.TestDatabase}.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith({PostgresExtension.class, MigratedQueueExtension.class})
public @interface MigratedQueueTest {
}
