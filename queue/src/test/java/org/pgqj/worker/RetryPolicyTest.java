package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** pgqueuer's database retry executor's delays, and the policy's validation (no database). */
class RetryPolicyTest {

    @Test
    void exponentialBackoffDoublesUpToTheCapThenGivesUp() {
        RetryPolicy p = RetryPolicy.exponentialBackoff(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(5), 4);
        assertEquals(Optional.of(Duration.ofSeconds(1)), p.delayFor(0));
        assertEquals(Optional.of(Duration.ofSeconds(2)), p.delayFor(1));
        assertEquals(Optional.of(Duration.ofSeconds(4)), p.delayFor(2));
        assertEquals(Optional.of(Duration.ofSeconds(5)), p.delayFor(3), "capped at maxDelay");
        assertEquals(Optional.empty(), p.delayFor(4), "maxAttempts retries, then the job ends");
    }

    @Test
    void defaultsArePgqueuers() {
        RetryPolicy p = RetryPolicy.exponentialBackoff();
        assertEquals(new RetryPolicy(Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 5), p);
        assertEquals(Optional.of(Duration.ofSeconds(16)), p.delayFor(4));
        assertEquals(Optional.empty(), p.delayFor(5));
        assertEquals(Optional.empty(), RetryPolicy.none().delayFor(0), "none() never retries");
    }

    @Test
    void badValuesAreNamed() {
        assertTrue(assertThrows(WorkerException.class, () -> new RetryPolicy(Duration.ofSeconds(-1), 2, Duration.ofSeconds(1), 1))
                .getMessage().contains("initialDelay"));
        assertTrue(assertThrows(WorkerException.class, () -> new RetryPolicy(Duration.ZERO, 0.5, Duration.ZERO, 1))
                .getMessage().contains("multiplier"));
        assertTrue(assertThrows(WorkerException.class, () -> new RetryPolicy(Duration.ZERO, Double.NaN, Duration.ZERO, 1))
                .getMessage().contains("multiplier"));
        assertTrue(assertThrows(WorkerException.class, () -> new RetryPolicy(Duration.ofSeconds(2), 2, Duration.ofSeconds(1), 1))
                .getMessage().contains("maxDelay"));
        assertTrue(assertThrows(WorkerException.class, () -> new RetryPolicy(Duration.ZERO, 2, Duration.ZERO, -1))
                .getMessage().contains("maxAttempts"));
    }
}
