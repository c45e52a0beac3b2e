package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The rate limit's arithmetic, on a clock the test moves (no database, no sleeping). */
class TokenBucketTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void startsWithATenthOfASecondOfBurst() {
        assertEquals(10, new TokenBucket(100, now::get).available());
        assertEquals(1, new TokenBucket(5, now::get).available(), "never less than one token");
        assertEquals(0, new TokenBucket(5, now::get).nanosUntilToken());
    }

    @Test
    void takenTokensComeBackAtTheRate() {
        TokenBucket bucket = new TokenBucket(100, now::get);
        bucket.take(10);
        assertEquals(0, bucket.available());
        assertEquals(10_000_000L, bucket.nanosUntilToken(), "one token per 10 ms at 100/s");
        now.addAndGet(25_000_000L);
        assertEquals(2, bucket.available(), "25 ms refill two whole tokens");
        now.addAndGet(10_000_000_000L);
        assertEquals(10, bucket.available(), "the refill stops at the burst");
    }

    @Test
    void slowRatesWaitWholeSeconds() {
        TokenBucket bucket = new TokenBucket(0.5, now::get);
        bucket.take(1);
        assertEquals(2_000_000_000L, bucket.nanosUntilToken());
        now.addAndGet(1_000_000_000L);
        assertEquals(0, bucket.available());
        assertEquals(1_000_000_000L, bucket.nanosUntilToken());
        now.addAndGet(1_000_000_000L);
        assertEquals(1, bucket.available());
    }
}
