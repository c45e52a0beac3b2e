package org.pgqj.spring.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;

/**
 * For a {@code @SpringBootTest}: the application context gets a PostgreSQL database of its own (created when the
 * context starts, as {@code pgqj-testing} finds a server; dropped when it closes) as {@code spring.datasource.*},
 * so the app's migrations and the pgqueuer schema run on it as in production; the queue, log, statistics and
 * schedule tables are emptied before each test; and a {@link org.pgqj.testing.queue.TestQueue} on the app's queue
 * data source and install is a bean, and a test-method parameter.
 *
 * <pre>{@code
 * @PgqjTest
 * @SpringBootTest
 * class PublishTest {
 *     @Autowired Articles articles;
 *     @Autowired Worker worker;
 *
 *     @Test
 *     void publishingIndexes(TestQueue queue) {
 *         long job = articles.publish(articles.draft("Hello"));
 *         assertEquals(JobStatus.SUCCESSFUL, queue.awaitIdle(worker).job(job).status());
 *     }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(PgqjTestExtension.class)
@ImportAutoConfiguration(PgqjTestAutoConfiguration.class)
public @interface PgqjTest {
}
