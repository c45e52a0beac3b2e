package org.pgqj.examples.readme;

import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.pgqj.admin.CompletionResult;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.connect.ConnectionUrl;
import org.pgqj.core.QueueTables;
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
        admin.cancel(dsl, ids);                    // delete + log canceled + cancellation_event NOTIFY
        admin.clear(dsl, List.of("send_email"));   // delete + log deleted
        admin.statistics(dsl, 25, Duration.ofMinutes(5)); // pgqueuer_statistics, what dashboards read

        CompletionResult done = admin.waitForCompletion(dataSource, ids, Duration.ofSeconds(30));
        done.pending();                            // ids not finished when the timeout passed
        // end::admin[]
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

        ConnectionUrl.fromEnvironment();   // DATABASE_URL, else PGQUEUER_DSN, else PGDSN
        // end::url[]
        return dataSource;
    }
}
