package com.example.shop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.pgqj.core.JobStatus;
import org.pgqj.spring.test.PgqjTest;
import org.pgqj.testing.queue.JobMatcher;
import org.pgqj.testing.queue.TestQueue;
import org.pgqj.worker.Worker;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The shop through pgqj-spring-boot-test, as an app's own test would use it: {@code @PgqjTest} gives the context a
 * database of its own and a {@link TestQueue}; no {@code @DynamicPropertySource}, no polling.
 */
@PgqjTest
@SpringBootTest
class ShopKitTest {

    @Autowired Orders orders;
    @Autowired Worker worker; // the app's worker, started with the context

    @Test
    void aPlacedOrderIsShippedByTheAppsWorker(TestQueue queue) {
        long id = orders.place("teapot", false);

        var ran = queue.awaitIdle(worker).withStatus(JobStatus.SUCCESSFUL);

        assertThat(ran).hasSize(1);
        assertThat(orders.status(id)).isEqualTo("shipped");
        System.out.println("CONSUMER spring: test kit (@PgqjTest, TestQueue.awaitIdle) used from outside");
    }

    @Test
    void aDeclinedOrderEnqueuesNothing(TestQueue queue) {
        try {
            orders.place("kettle", true);
        } catch (IllegalStateException expected) {
            // the order's transaction rolled back, its job with it
        }
        queue.enqueued().requireNone(JobMatcher.of(ShipOrder.class));
    }
}
