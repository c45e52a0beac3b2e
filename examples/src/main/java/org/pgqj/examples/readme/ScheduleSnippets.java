package org.pgqj.examples.readme;

import javax.sql.DataSource;
import org.pgqj.core.QueueTables;
import org.pgqj.schedule.Schedule;
import org.pgqj.schedule.Scheduler;
import org.pgqj.schedule.Schedules;

final class ScheduleSnippets {

    private ScheduleSnippets() {
    }

    static void cleanup() {
    }

    static void schedules(DataSource dataSource) {
        // tag::scheduler[]
        QueueTables tables = QueueTables.fromEnvironment();

        try (Scheduler scheduler = Scheduler.builder(dataSource, tables)
                .schedule("*/5 * * * *", "cleanup", ctx -> cleanup())
                .schedule("@daily", "report", ctx ->
                        System.out.println("report for " + ctx.scheduledAt() + ", previous run " + ctx.lastRun()))
                .build()) {
            scheduler.start();   // registers the rows, then claims due ticks in the background
            // ...
        }                        // close(): stop claiming, let running tasks finish, release their rows
        // end::scheduler[]

        // tag::list[]
        for (Schedule s : Schedules.list(tables, dataSource)) {
            System.out.println(s.id() + " " + s.expression() + " " + s.entrypoint() + " next " + s.nextRun());
        }
        Schedules.remove(tables, dataSource, "42", "cleanup");   // like `pgq schedules -r 42 -r cleanup`
        // end::list[]
    }
}
