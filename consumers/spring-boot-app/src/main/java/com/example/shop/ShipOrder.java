package com.example.shop;

import org.pgqj.payload.Entrypoint;

/** The job's payload: JSON a Python worker could read too. */
@Entrypoint("ship_order")
public record ShipOrder(long orderId) {
}
