package org.pgqj.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Bounded waits for tests that watch real threads, connections and rows: poll a condition every 10 ms
 * until it holds, and fail with what was awaited once the timeout has passed. No test needs to sleep
 * a guessed time and then look.
 */
public final class Await {

    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /**
     * Returns as soon as {@code condition} holds.
     *
     * @throws AssertionError naming {@code what} when it still does not hold after {@code timeout}
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Checks that {@code condition} keeps holding for all of {@code period} (polled every 10 ms), for
     * an absence that has no event to wait for: fails at the first poll where it does not.
     *
     * @throws AssertionError naming {@code what} as soon as the condition is false
     */
    public static void holds(String what, Duration period, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + period.toNanos();
        do {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("No longer true within " + period + ": " + what);
            }
            Thread.sleep(POLL_MILLIS);
        } while (System.nanoTime() - deadline < 0);
        if (!condition.getAsBoolean()) {
            throw new AssertionError("No longer true at the end of " + period + ": " + what);
        }
    }
}
