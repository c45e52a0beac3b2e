package org.pgqj.internal.sql;

import static org.pgqj.codegen.Tables.PGQUEUER;

import org.jooq.Field;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.JobStatus;

/**
 * The status enum in statements, and between the generated {@link PgqueuerStatus} and the public
 * {@link JobStatus}.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class Statuses {

    private Statuses() {
    }

    /**
     * {@code status} as an inline literal ({@code 'queued'}) of the status columns' type. Inline, not
     * bound: the planner matches it against the partial indexes ({@code WHERE status = 'queued'}), and
     * as an INSERT's own select list it takes the column's enum type. Every status column of the four
     * tables has the same type and binding, so one literal fits them all.
     */
    public static Field<PgqueuerStatus> literal(PgqueuerStatus status) {
        return org.jooq.impl.DSL.inline(status, PGQUEUER.STATUS.getDataType());
    }

    /** The public status of a generated enum value. */
    public static JobStatus toJobStatus(PgqueuerStatus status) {
        if (status == null) {
            throw new IllegalArgumentException("Unknown pgqueuer_status null");
        }
        return JobStatus.fromLabel(status.getLiteral());
    }

    /** The generated enum value of a public status. */
    public static PgqueuerStatus toDb(JobStatus status) {
        PgqueuerStatus db = PgqueuerStatus.lookupLiteral(status.label());
        if (db == null) {
            throw new IllegalStateException("pgqueuer_status has no label '" + status.label() + "'");
        }
        return db;
    }
}
