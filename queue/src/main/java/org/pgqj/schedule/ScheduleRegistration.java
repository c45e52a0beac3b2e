package org.pgqj.schedule;

/** One {@code (expression, entrypoint, task)} of a scheduler; the expression is already normalised. */
record ScheduleRegistration(CronSchedule cron, String entrypoint, ScheduledTask task) {

    String expression() {
        return cron.normalized();
    }
}
