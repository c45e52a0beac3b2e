package org.pgqj.schedule;

/**
 * The code a schedule runs. It runs on its own virtual thread; the schedule's row is heartbeated every
 * second while it runs. An exception is logged with the expression and entrypoint, and the schedule
 * keeps firing.
 */
@FunctionalInterface
public interface ScheduledTask {

    /** Runs one tick of the schedule. */
    void run(ScheduleContext context) throws Exception;
}
