package org.pgqj.worker;

import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.val;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.impl.DSL;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.sql.Cte;
import org.pgqj.internal.sql.Statuses;

/**
 * Inserts jobs exactly as Python pgqueuer's enqueue does (one statement: the row with status 'queued',
 * execute_after = now() + delay, headers JSON null, and its 'queued' log row), for worker tests that
 * must not depend on the enqueue API.
 */
public final class TestJobs {

    private final DSLContext dsl;

    /** Jobs on the install {@code tables}. */
    public TestJobs(DataSource dataSource, QueueTables tables) {
        this.dsl = tables.dsl(dataSource);
    }

    /** Deletes every job and log row of the install (a test's clean start); returns this. */
    public TestJobs empty() {
        dsl.deleteFrom(PGQUEUER).execute();
        dsl.deleteFrom(PGQUEUER_LOG).execute();
        return this;
    }

    public DSLContext dsl() {
        return dsl;
    }

    /** Worker options for tests: an idle claim loop looks again every second, a close waits at most 5 s for jobs. */
    public static WorkerOptions.Builder fastOptions() {
        return WorkerOptions.builder().dequeueTimeout(Duration.ofSeconds(1)).shutdownTimeout(Duration.ofSeconds(5));
    }

    public long enqueue(String entrypoint, byte[] payload) {
        return enqueue(entrypoint, payload, 0, Duration.ZERO, null);
    }

    public long enqueue(String entrypoint, byte[] payload, int priority, Duration delay, String dedupeKey) {
        var inserted = name("inserted").fields("id", "entrypoint", "priority").as(dsl.insertInto(PGQUEUER,
                        PGQUEUER.PRIORITY, PGQUEUER.ENTRYPOINT, PGQUEUER.PAYLOAD, PGQUEUER.EXECUTE_AFTER,
                        PGQUEUER.DEDUPE_KEY, PGQUEUER.HEADERS, PGQUEUER.STATUS)
                .values(val(priority), val(entrypoint), val(payload),
                        currentOffsetDateTime().plus(val(delay.toNanos() / 86_400e9)), val(dedupeKey),
                        val(JSONB.valueOf("null")), Statuses.literal(PgqueuerStatus.queued))
                .returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY));
        return dsl.with(inserted)
                .insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY)
                .select(select(Cte.col(inserted, "id", Long.class), Statuses.literal(PgqueuerStatus.queued),
                        Cte.col(inserted, "entrypoint", String.class), Cte.col(inserted, "priority", Integer.class)).from(inserted))
                .returning(PGQUEUER_LOG.JOB_ID)
                .fetchOne(PGQUEUER_LOG.JOB_ID);
    }

    /** Many jobs in one statement, payload = the decimal number as JSON bytes. */
    public void enqueueMany(String entrypoint, int count) {
        var series = DSL.generateSeries(1, count).as("g", "n");
        var n = series.field("n", Integer.class);
        var inserted = name("inserted").fields("id", "entrypoint", "priority").as(dsl.insertInto(PGQUEUER,
                        PGQUEUER.PRIORITY, PGQUEUER.ENTRYPOINT, PGQUEUER.PAYLOAD, PGQUEUER.EXECUTE_AFTER,
                        PGQUEUER.HEADERS, PGQUEUER.STATUS)
                .select(select(inline(0), val(entrypoint),
                        DSL.function("convert_to", byte[].class, n.cast(String.class), inline("UTF8")),
                        currentOffsetDateTime(), val(JSONB.valueOf("null")), Statuses.literal(PgqueuerStatus.queued))
                        .from(series))
                .returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY));
        dsl.with(inserted)
                .insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY)
                .select(select(Cte.col(inserted, "id", Long.class), Statuses.literal(PgqueuerStatus.queued),
                        Cte.col(inserted, "entrypoint", String.class), Cte.col(inserted, "priority", Integer.class)).from(inserted))
                .execute();
    }

    public List<PgqueuerStatus> logStatuses(long jobId) {
        return dsl.select(PGQUEUER_LOG.STATUS).from(PGQUEUER_LOG).where(PGQUEUER_LOG.JOB_ID.eq(jobId))
                .orderBy(PGQUEUER_LOG.ID).fetch(PGQUEUER_LOG.STATUS);
    }

    public int queueCount() {
        return dsl.fetchCount(PGQUEUER);
    }
}
