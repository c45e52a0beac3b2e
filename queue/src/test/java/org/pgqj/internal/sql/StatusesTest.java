package org.pgqj.internal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.JobStatus;

/** The public status and the generated enum name the same seven labels; literals render inline. */
class StatusesTest {

    @Test
    void everyStatusMapsBothWays() {
        assertEquals(PgqueuerStatus.values().length, JobStatus.values().length);
        for (JobStatus s : JobStatus.values()) {
            PgqueuerStatus db = Statuses.toDb(s);
            assertEquals(s.label(), db.getLiteral());
            assertEquals(s, Statuses.toJobStatus(db));
        }
    }

    @Test
    void aLiteralIsInlinedForThePartialIndexes() {
        assertEquals("'queued'", DSL.using(SQLDialect.POSTGRES).render(Statuses.literal(PgqueuerStatus.queued)));
    }
}
