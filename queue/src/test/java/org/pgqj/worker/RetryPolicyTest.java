package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * pgqueuer's database retry executor's delays, the policy's validation and no-retry rules, and the entrypoint
 * timeout's validation (no database).
 */
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

    @Test
    void nonRetryableFailuresAreNamedAndTheRestFollowTheBackoff() {
        RetryPolicy p = RetryPolicy.exponentialBackoff().noRetryFor(IllegalArgumentException.class)
                .retryOn(e -> !(e instanceof UnsupportedOperationException));
        assertEquals(Optional.of("NonRetryableException"), p.notRetried(new NonRetryableException("declined")));
        assertEquals(Optional.of("matches noRetryFor(IllegalArgumentException)"),
                p.notRetried(new NumberFormatException("x")), "subtypes too");
        assertEquals(Optional.of("rejected by retryOn"), p.notRetried(new UnsupportedOperationException()));
        assertEquals(Optional.empty(), p.notRetried(new IllegalStateException("busy")));
        assertEquals(Optional.empty(), p.notRetried(new RuntimeException(new IllegalArgumentException())),
                "the exception thrown is matched, not its causes");
        assertEquals(Optional.of("NonRetryableException"), RetryPolicy.none().notRetried(new NonRetryableException("x")));
        assertTrue(p.retryOn(e -> { throw new IllegalStateException("broken"); }).notRetried(new RuntimeException())
                .orElseThrow().startsWith("retryOn threw java.lang.IllegalStateException: broken"));
    }

    @Test
    void theRulesMakeANewPolicyAndTheFourValueOneRetriesEverything() {
        RetryPolicy base = RetryPolicy.exponentialBackoff();
        RetryPolicy strict = base.noRetryFor(IllegalArgumentException.class);
        assertEquals(List.of(), base.noRetryFor(), "the policy it came from is unchanged");
        assertEquals(List.of(IllegalArgumentException.class), strict.noRetryFor());
        assertEquals(List.of(IllegalArgumentException.class, IllegalStateException.class),
                strict.noRetryFor(IllegalStateException.class).noRetryFor());
        assertEquals(base.delayFor(2), strict.delayFor(2));
        assertEquals(RetryPolicy.ANY, new RetryPolicy(Duration.ZERO, 1, Duration.ZERO, 1).retryOn());
        assertThrows(NullPointerException.class, () -> base.noRetryFor((Class<? extends Throwable>) null));
    }

    @Test
    void anEntrypointTimeoutIsPositiveOrAbsent() {
        assertEquals(Optional.empty(), EntrypointOptions.defaults().timeout());
        EntrypointOptions o = EntrypointOptions.builder().timeout(Duration.ofSeconds(30)).build();
        assertEquals(Optional.of(Duration.ofSeconds(30)), o.timeout());
        assertEquals(o.timeout(), o.toBuilder().build().timeout());
        assertEquals(Optional.of(RetryRequested.MAX_DELAY),
                EntrypointOptions.builder().timeout(RetryRequested.MAX_DELAY).build().timeout());
        // longer than 100 years would overflow the deadline's nanoseconds: the job would stay picked for ever
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1), null, Duration.ofDays(36_501),
                Duration.ofSeconds(Long.MAX_VALUE)}) {
            assertTrue(assertThrows(WorkerException.class, () -> EntrypointOptions.builder().timeout(bad))
                    .getMessage().startsWith("timeout must be a positive duration of at most PT876000H (100 years), got "
                            + bad), () -> String.valueOf(bad));
        }
    }

    @Test
    void aRetryDelayIsAtMostAHundredYears() {
        assertEquals(RetryRequested.MAX_DELAY, new RetryRequested(RetryRequested.MAX_DELAY, "later").delay());
        assertEquals(Duration.ZERO, new RetryRequested(Duration.ZERO, "now").delay());
        for (Duration bad : new Duration[] {Duration.ofSeconds(-1), Duration.ofDays(36_501), Duration.ofSeconds(Long.MAX_VALUE)}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> new RetryRequested(bad, "x")).getMessage()
                    .endsWith("got " + bad), () -> String.valueOf(bad));
        }
        assertEquals(RetryRequested.MAX_DELAY, SnoozeRequested.MAX_DELAY);
    }
}
