package org.pgqj.schedule;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link ScheduledTask} is told about the tick it runs.
 *
 * @param scheduleId  the row id in {@code pgqueuer_schedules}
 * @param expression  the expression as stored (croniter's normal form)
 * @param entrypoint  the schedule's entrypoint name
 * @param scheduledAt the fire time this run is for (the row's {@code next_run} when it was claimed)
 * @param lastRun     when the previous run finished, by any scheduler (Java or Python); empty before the first
 */
public record ScheduleContext(long scheduleId, String expression, String entrypoint, Instant scheduledAt,
                              Optional<Instant> lastRun) {

    public ScheduleContext {
        Objects.requireNonNull(expression, "expression");
        Objects.requireNonNull(entrypoint, "entrypoint");
        Objects.requireNonNull(scheduledAt, "scheduledAt");
        Objects.requireNonNull(lastRun, "lastRun");
    }
}
