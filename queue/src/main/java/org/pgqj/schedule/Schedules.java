package org.pgqj.schedule;

import static org.pgqj.codegen.Tables.PGQUEUER_SCHEDULES;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.pgqj.codegen.tables.records.PgqueuerSchedulesRecord;
import org.pgqj.core.JobStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.sql.Statuses;

/**
 * Listing and removing schedules, what {@code pgq schedules [-r id|entrypoint]} does. Works on rows of
 * every scheduler, Java or Python. The {@link DSLContext} overloads run in the caller's transaction.
 */
public final class Schedules {

    private Schedules() {}

    /** Every schedule, by id. */
    public static List<Schedule> list(QueueTables tables, DSLContext caller) {
        var s = PGQUEUER_SCHEDULES;
        return tables.dsl(caller).selectFrom(s).orderBy(s.ID).fetch(Schedules::toSchedule);
    }

    /** As {@link #list(QueueTables, DSLContext)}, in auto-commit on a data source. */
    public static List<Schedule> list(QueueTables tables, DataSource dataSource) {
        return list(tables, tables.dsl(dataSource));
    }

    /**
     * Deletes the schedules with any of these ids or entrypoints; returns how many rows went. A
     * scheduler still registered for a removed schedule inserts it again when it next starts.
     */
    public static int remove(QueueTables tables, DSLContext caller, Collection<Long> ids, Collection<String> entrypoints) {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(entrypoints, "entrypoints");
        if (ids.isEmpty() && entrypoints.isEmpty()) {
            return 0;
        }
        var s = PGQUEUER_SCHEDULES;
        Condition match = DSL.falseCondition();
        if (!ids.isEmpty()) {
            match = match.or(s.ID.in(ids));
        }
        if (!entrypoints.isEmpty()) {
            match = match.or(s.ENTRYPOINT.in(entrypoints));
        }
        return tables.dsl(caller).deleteFrom(s).where(match).execute();
    }

    /** As {@link #remove(QueueTables, DSLContext, Collection, Collection)}, in auto-commit on a data source. */
    public static int remove(QueueTables tables, DataSource dataSource, Collection<Long> ids, Collection<String> entrypoints) {
        return remove(tables, tables.dsl(dataSource), ids, entrypoints);
    }

    /**
     * Runs schedule {@code id} now: its {@code next_run} becomes the current second, so the next poll of a
     * scheduler that registered it (Java or Python) claims and runs it once, and the claim sets the next regular
     * fire time as usual. A Java {@link Scheduler} polls at least every {@code maxPollInterval} (10 s by default);
     * a pgqueuer 1.x {@code SchedulerManager} sleeps until its own next fire time and runs it then.
     *
     * @return false when there is no such schedule or it is running now (status picked)
     */
    public static boolean runNow(QueueTables tables, DSLContext caller, long id) {
        return ScheduleStatements.runNow(tables.dsl(caller), id) == 1;
    }

    /**
     * {@code pgq schedules -r VALUE ...}: each value that is a number is an id, anything else an entrypoint.
     */
    public static int remove(QueueTables tables, DataSource dataSource, String... idsOrEntrypoints) {
        List<Long> ids = new ArrayList<>();
        List<String> entrypoints = new ArrayList<>();
        for (String value : idsOrEntrypoints) {
            Objects.requireNonNull(value, "id or entrypoint");
            if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                try {
                    ids.add(Long.parseLong(value));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("Schedule id " + value + " is out of range for a bigint id", e);
                }
            } else {
                entrypoints.add(value);
            }
        }
        return remove(tables, dataSource, ids, entrypoints);
    }

    private static Schedule toSchedule(PgqueuerSchedulesRecord r) {
        return new Schedule(r.getId(), r.getExpression(), r.getEntrypoint(),
                r.getHeartbeat().toInstant(), r.getCreated().toInstant(), r.getUpdated().toInstant(),
                r.getNextRun().toInstant(), Optional.ofNullable(r.getLastRun()).map(OffsetDateTime::toInstant),
                r.getStatus() == null ? JobStatus.QUEUED : Statuses.toJobStatus(r.getStatus())); // the column is nullable
    }
}
