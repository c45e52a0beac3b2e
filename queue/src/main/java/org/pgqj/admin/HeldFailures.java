package org.pgqj.admin;

import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.jsonbGetAttributeAsText;
import static org.jooq.impl.DSL.select;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import org.jooq.Field;
import org.jooq.impl.DSL;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.internal.sql.Statuses;

/**
 * The one definition of a held job's failure, shared by {@link QueueAdmin}'s bulk actions and
 * {@link QueueInspection#lastFailures}: the traceback of its newest {@code failed} log row.
 */
final class HeldFailures {

    private HeldFailures() {
    }

    /** A log row that held a job. */
    static final org.jooq.Condition HOLD_ROW = PGQUEUER_LOG.STATUS.eq(Statuses.literal(PgqueuerStatus.failed));

    /** {@code exception_type} of a traceback, {@code ""} when there is none. */
    static final Field<String> EXCEPTION_TYPE = text("exception_type");

    /** {@code exception_message} of a traceback, {@code ""} when there is none. */
    static final Field<String> EXCEPTION_MESSAGE = text("exception_message");

    /** The exception type job {@code jobId} was held with ({@code ""} without a traceback or log row). */
    static Field<String> exceptionTypeOf(Field<Long> jobId) {
        return coalesce(DSL.field(select(EXCEPTION_TYPE).from(PGQUEUER_LOG)
                .where(PGQUEUER_LOG.JOB_ID.eq(jobId).and(HOLD_ROW))
                .orderBy(PGQUEUER_LOG.CREATED.desc(), PGQUEUER_LOG.ID.desc())
                .limit(inline(1))), inline(""));
    }

    private static Field<String> text(String attribute) {
        return coalesce(jsonbGetAttributeAsText(PGQUEUER_LOG.TRACEBACK, attribute), inline(""));
    }
}
