package org.pgqj.spring;

import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.pgqj.enqueue.EnqueueResult;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.enqueue.OnConflict;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;

/**
 * Enqueues on the connection of the Spring-managed transaction, for an app that does not use jOOQ itself
 * (plain {@code JdbcTemplate}, JPA on the same {@code DataSource}). Inside {@code @Transactional} the jobs
 * commit or roll back with the app's writes; outside a transaction each call commits on its own.
 *
 * <pre>{@code
 * @Transactional
 * public void publish(long id) {
 *     jdbc.update("update article set status = 'published' where id = ?", id);
 *     jobs.enqueue(new IndexArticle(id));
 * }
 * }</pre>
 *
 * <p>An app with {@code spring-boot-starter-jooq} can call {@link JobQueue} with its own {@code DSLContext}
 * instead; both join the same transaction.
 */
public final class TransactionalJobQueue {

    private final JobQueue queue;
    private final DSLContext dsl;

    /** Enqueues with {@code queue} on the transaction-bound connections of {@code dataSource}. */
    public TransactionalJobQueue(JobQueue queue, DataSource dataSource) {
        this.queue = Objects.requireNonNull(queue, "queue");
        // The proxy hands out the connection bound to the current Spring transaction (DataSourceUtils),
        // or a fresh auto-commit one when there is none, and releases it accordingly.
        DataSource transactional = dataSource instanceof TransactionAwareDataSourceProxy
                ? dataSource : new TransactionAwareDataSourceProxy(Objects.requireNonNull(dataSource, "dataSource"));
        this.dsl = DSL.using(transactional, SQLDialect.POSTGRES);
    }

    /** The underlying queue (its tables and codec). */
    public JobQueue queue() {
        return queue;
    }

    /** Enqueues one {@code @Entrypoint} record with default options; returns the job id. */
    public long enqueue(Object record) {
        return queue.enqueue(dsl, record);
    }

    /** Enqueues one job; returns its id. */
    public long enqueue(NewJob job) {
        return queue.enqueue(dsl, job);
    }

    /** Enqueues jobs in one statement; ids in input order. */
    public List<Long> enqueueAll(List<NewJob> jobs) {
        return queue.enqueueAll(dsl, jobs);
    }

    /** Enqueues jobs in one statement with a dedupe-conflict policy. */
    public EnqueueResult enqueue(List<NewJob> jobs, OnConflict onConflict) {
        return queue.enqueue(dsl, jobs, onConflict);
    }

    /** A job builder for {@code record} (priority, delay, dedupe key, headers). */
    public NewJob.Builder job(Object record) {
        return queue.job(record);
    }
}
