package org.pgqj.schedule;

import com.cronutils.model.time.ExecutionTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** A normalised expression and its evaluator. Times are computed in UTC, like pgqueuer's croniter calls. */
record CronSchedule(String normalized, ExecutionTime executionTime) {

    /** The first fire time strictly after {@code now} (croniter starts from the whole second). */
    Optional<Instant> nextAfter(Instant now) {
        return executionTime.nextExecution(now.truncatedTo(ChronoUnit.SECONDS).atZone(ZoneOffset.UTC))
                .map(t -> t.toInstant());
    }

    /** pgqueuer's {@code next_in()}: the wait from {@code now} to the next fire time. */
    Duration nextIn(Instant now) {
        Instant next = nextAfter(now).orElseThrow(() -> new InvalidCronExpressionException(normalized,
                "no fire time after " + now));
        return Duration.between(now, next);
    }
}
