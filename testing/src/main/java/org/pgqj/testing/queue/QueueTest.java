package org.pgqj.testing.queue;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.PostgresExtension;

/**
 * A test class with a PostgreSQL database of its own, the pgqueuer schema migrated into it once (after the
 * class's {@code @BeforeAll} methods, where an application migrates its own schema first), and the queue, log,
 * statistics and schedule tables emptied before each test. Test and lifecycle methods may take a
 * {@link TestQueue} (the kit: enqueue assertions, running the due jobs, the queue clock) and a
 * {@link org.pgqj.testing.TestDatabase}.
 *
 * <pre>{@code
 * @QueueTest
 * class CheckoutTest {
 *     @Test
 *     void placingAnOrderEnqueuesItsShipment(TestQueue queue) {
 *         checkout.place(queue.dsl(), new Order(42));
 *         queue.enqueued().requireOne(ShipOrder.class, ship -> ship.orderId() == 42);
 *     }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith({PostgresExtension.class, QueueExtension.class})
public @interface QueueTest {
}
