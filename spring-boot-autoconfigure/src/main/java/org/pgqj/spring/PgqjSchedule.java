package org.pgqj.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a bean method on a cron schedule through the auto-configured {@code Scheduler}, sharing
 * {@code pgqueuer_schedules} with Python's {@code @scheduler.schedule(entrypoint, expression)}: each tick
 * runs once among all Java and Python schedulers that registered the same pair.
 *
 * <p>The method takes no parameter or one {@code org.pgqj.schedule.ScheduleContext}. On a
 * {@code ScheduledTask} bean the annotation configures the whole bean.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface PgqjSchedule {

    /** The schedule's entrypoint name. */
    String entrypoint();

    /** A five-field cron expression (UTC), e.g. {@code "0 3 * * *"}. */
    String cron();
}
