package org.pgqj.examples.readme;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.pgqj.admin.CompletionResult;
import org.pgqj.admin.LogRetention;
import org.pgqj.admin.PruneResult;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.admin.QueueInspection;
import org.pgqj.connect.ConnectionUrl;
import org.pgqj.core.JobStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.schedule.Scheduler;
import org.pgqj.schema.PgqueuerNames;

final class AdminSnippets {

    private AdminSnippets() {
    }

    static void admin(DSLContext dsl, DataSource dataSource, List<Long> ids) {
        // tag::admin[]
        QueueAdmin admin = QueueAdmin.create(QueueTables.defaults());

        admin.queueSize(dsl);                      // count per entrypoint, priority and status
        admin.jobStatuses(dsl, ids);               // Map<Long, JobStatus> from each job's newest log row
        admin.failedJobs(dsl, 25);                 // held jobs, like `pgq failed`
        admin.requeue(dsl, ids);                   // held -> queued, like `pgq requeue`
        admin.cancel(dsl, ids);                    // cancellation_event NOTIFY; delete + log canceled (running: its worker does)
        admin.clear(dsl, List.of("send_email"));   // delete + log deleted
        admin.statistics(dsl, 25, Duration.ofMinutes(5)); // pgqueuer_statistics, what dashboards read

        CompletionResult done = admin.waitForCompletion(dataSource, ids, Duration.ofSeconds(30));
        done.pending();                            // ids not finished when the timeout passed
        // end::admin[]
    }

    static void inspect(DSLContext dsl) {
        // tag::inspect[]
        QueueInspection inspect = QueueInspection.create(QueueTables.defaults());

        inspect.staleJobs(dsl, Duration.ofMinutes(5), 25);  // picked, heartbeat older than 5 min (`pgq stale`)
        inspect.activeWorkers(dsl);                         // queue managers holding picked jobs (`pgq workers`)
        inspect.backlog(dsl);                               // queued per entrypoint, oldest age (`pgq backlog`)
        inspect.throughput(dsl, Duration.ofHours(1));       // statistics per entrypoint and status
        inspect.recentLog(dsl, 25, List.of(JobStatus.EXCEPTION)); // newest log rows; jobLog(dsl, id, n): one job's
        inspect.jobs(dsl, 50, 0, List.of(JobStatus.QUEUED), List.of()); // a page of the queue table
        inspect.tables(dsl);                                // persistence, row estimate, size of the four tables
        // end::inspect[]
    }

    static void retention(DataSource dataSource) {
        // tag::retention[]
        QueueAdmin admin = QueueAdmin.create(QueueTables.defaults());
        PruneResult pruned = admin.pruneLog(dataSource, Duration.ofDays(7)); // batches of 5,000, each committed
        admin.pruneStatistics(dataSource, Duration.ofDays(30));

        // or let the fleet do it: one hourly schedule row ("17 * * * *"), run by one scheduler at a time
        Scheduler scheduler = Scheduler.builder(dataSource, QueueTables.defaults())
                .retention(LogRetention.DEFAULT_CRON, Duration.ofDays(7), true) // log and statistics rows
                .build();
        // end::retention[]
    }

    static void names() {
        // tag::names[]
        QueueTables tables = QueueTables.of(new PgqueuerNames("acme_", "jobs")); // jobs.acme_pgqueuer, acme_ch_pgqueuer
        QueueTables sameAsPython = QueueTables.fromEnvironment();                // PGQUEUER_PREFIX, PGQUEUER_SCHEMA
        // end::names[]
    }

    static DataSource url() {
        // tag::url[]
        ConnectionUrl url = ConnectionUrl.parse("postgresql+asyncpg://app:s3cret@db:5432/shop?sslmode=require");
        url.jdbcUrl();                     // jdbc:postgresql://db:5432/shop (no credentials)
        url.properties();                  // user, password, sslmode
        DataSource dataSource = url.dataSource();

        Optional<ConnectionUrl> fromEnv = ConnectionUrl.fromEnvironment(); // DATABASE_URL, else PGQUEUER_DSN, else PGDSN
        DataSource sameAsPython = fromEnv.orElseThrow().dataSource();      // fromEnv is empty when none of them is set
        // end::url[]
        return dataSource;
    }
}
