package org.pgqj.testing.queue;

import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;
import static org.pgqj.codegen.Tables.PGQUEUER_SCHEDULES;
import static org.pgqj.codegen.Tables.PGQUEUER_STATISTICS;

import java.util.Objects;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.pgqj.admin.PausedEntrypoint;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.worker.Worker;

/**
 * One test class's queue: its database with the pgqueuer schema migrated, and the kit's three tools bound to it:
 * {@link #enqueued()} (what was enqueued), {@link #drain(Worker)} (run the due jobs now) and {@link #clock()}
 * (move the queue's time). {@link QueueTest} resolves it as a parameter; {@link #of} and {@link #migrated} make
 * one on a data source of your own (a Spring test's, say).
 */
public final class TestQueue {

    private final DataSource dataSource;
    private final QueueTables tables;

    private TestQueue(DataSource dataSource, QueueTables tables) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.tables = Objects.requireNonNull(tables, "tables");
    }

    /** The queue of the install {@code tables} in {@code dataSource}'s database, whose schema is there already. */
    public static TestQueue of(DataSource dataSource, QueueTables tables) {
        return new TestQueue(dataSource, tables);
    }

    /** The same, with the schema of {@code tables} migrated first (nothing to do when it is up to date). */
    public static TestQueue migrated(DataSource dataSource, QueueTables tables) {
        TestQueue queue = new TestQueue(dataSource, tables);
        PgqueuerSchema.forDataSource(dataSource).names(tables.names()).migrate();
        return queue;
    }

    /** Connections to the database (each one commits on its own unless you start a transaction). */
    public DataSource dataSource() {
        return dataSource;
    }

    /** The pgqueuer install the queue uses. */
    public QueueTables tables() {
        return tables;
    }

    /** A jOOQ context on the data source, mapped to the install's tables. */
    public DSLContext dsl() {
        return tables.dsl(dataSource);
    }

    /** A {@link JobQueue} on the install, with the default payload codec. */
    public JobQueue jobQueue() {
        return JobQueue.create(tables);
    }

    /** What is in the queue now, committed: assertions on enqueued jobs. For the caller's transaction see {@link EnqueuedJobs#in}. */
    public EnqueuedJobs enqueued() {
        return EnqueuedJobs.in(dataSource).tables(tables);
    }

    /** Runs the due jobs of {@code worker}'s entrypoints now: {@link QueueDrainer#drain(Worker)}. */
    public DrainResult drain(Worker worker) {
        return QueueDrainer.of(dataSource, tables).drain(worker);
    }

    /** Waits until a running worker has run the due jobs of its entrypoints: {@link QueueDrainer#awaitIdle(Worker)}. */
    public DrainResult awaitIdle(Worker running) {
        return QueueDrainer.of(dataSource, tables).awaitIdle(running);
    }

    /** The queue's clock: moves due times instead of the database's {@code now()}. */
    public QueueClock clock() {
        return QueueClock.of(dataSource, tables);
    }

    /**
     * Empties the queue, log, statistics and schedule tables and resumes every entrypoint paused for the fleet
     * (when pgqj's control tables are installed), in one transaction (what {@link QueueTest} does before each test).
     */
    public void empty() {
        DSLContext dsl = dsl();
        QueueAdmin admin = QueueAdmin.create(tables);
        dsl.transaction(tx -> {
            tx.dsl().deleteFrom(PGQUEUER).execute();
            tx.dsl().deleteFrom(PGQUEUER_LOG).execute();
            tx.dsl().deleteFrom(PGQUEUER_STATISTICS).execute();
            tx.dsl().deleteFrom(PGQUEUER_SCHEDULES).execute();
            // a pause left by one test would silently keep the next test's worker off that entrypoint
            if (admin.controlsInstalled(tx.dsl())) {
                for (PausedEntrypoint paused : admin.pausedEntrypoints(tx.dsl())) {
                    admin.resume(tx.dsl(), paused.entrypoint(), "TestQueue.empty");
                }
            }
        });
    }

    @Override
    public String toString() {
        return "TestQueue[" + tables + "]";
    }
}
