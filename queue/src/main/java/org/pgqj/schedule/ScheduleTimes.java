package org.pgqj.schedule;

import java.time.Duration;
import java.time.OffsetDateTime;
import org.jooq.DatePart;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.types.DayToSecond;

/** The {@code next_run} expression pgqueuer writes: {@code date_trunc('seconds', now() + delay)}. */
final class ScheduleTimes {

    private ScheduleTimes() {}

    /** The delay is added to the database's clock, not the JVM's, as pgqueuer does. */
    static Field<OffsetDateTime> nextRun(Field<DayToSecond> delay) {
        return DSL.trunc(DSL.currentOffsetDateTime().plus(delay), DatePart.SECOND);
    }

    static Field<DayToSecond> interval(Duration duration) {
        return DSL.val(DayToSecond.valueOf(duration));
    }
}
