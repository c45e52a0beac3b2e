package com.example.shop;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.pgqj.spring.PgqjHandler;
import org.pgqj.worker.JobContext;
import org.springframework.stereotype.Component;

/** The handler bean of ship_order; the starter's worker calls it. */
@Component
public class Shipping {

    private final Orders orders;
    /** Per shipped order: whether its job carried a trace context (headers["otel"], from pgqj-tracing). */
    final Map<Long, Boolean> traced = new ConcurrentHashMap<>();

    public Shipping(Orders orders) {
        this.orders = orders;
    }

    @PgqjHandler("ship_order")
    public void ship(ShipOrder order, JobContext context) {
        orders.markShipped(order.orderId());
        traced.put(order.orderId(), context.job().headers().containsKey("otel"));
    }
}
