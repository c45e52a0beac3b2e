package org.pgqj.worker;

import java.util.function.LongSupplier;

/**
 * The requests-per-second limit of one entrypoint: refills at {@code rate} tokens per second up to a
 * burst of {@code max(1, rate / 10)} (a tenth of a second of work), one token per claimed job.
 * Used by the claim loop's thread only (so are its two mutable fields).
 */
final class TokenBucket {

    private final double rate;
    private final double capacity;
    private final LongSupplier nanoClock;
    private double tokens;
    private long last;

    TokenBucket(double rate) {
        this(rate, System::nanoTime);
    }

    /** A bucket on a clock of its own (nanoseconds, like {@link System#nanoTime()}), for tests. */
    TokenBucket(double rate, LongSupplier nanoClock) {
        this.rate = rate;
        this.capacity = Math.max(1.0, rate / 10.0);
        this.nanoClock = nanoClock;
        this.tokens = capacity;
        this.last = nanoClock.getAsLong();
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(capacity, tokens + (now - last) / 1e9 * rate);
        last = now;
    }

    /** Whole tokens available now. */
    int available() {
        refill();
        return (int) Math.floor(tokens);
    }

    /** Uses {@code n} tokens. */
    void take(int n) {
        tokens -= n;
    }

    /** Nanoseconds until one whole token is available (0 if one is). */
    long nanosUntilToken() {
        refill();
        return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / rate * 1e9);
    }
}
