package org.pgqj.internal.queue;

import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.internal.sql.Statuses;

/**
 * The concurrency slots of some entrypoints that {@code picked} rows hold, with whose they are and their
 * heartbeat, read with the database's clock: what a starting worker reports when others (or a dead
 * predecessor) hold slots of its limited entrypoints.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class HeldSlotsQuery {

    /** One held slot: its entrypoint and number, the {@code queue_manager_id} of the row, and its heartbeat. */
    public record HeldSlot(String entrypoint, long slot, Optional<UUID> worker, OffsetDateTime heartbeat) {
    }

    /** The held slots (by entrypoint, slot) and the database's {@code now()}. */
    public record HeldSlots(List<HeldSlot> slots, OffsetDateTime now) {
    }

    private HeldSlotsQuery() {
    }

    /** The slots held by picked rows of {@code entrypoints}. */
    public static HeldSlots fetch(DSLContext dsl, Collection<String> entrypoints) {
        OffsetDateTime now = dsl.select(currentOffsetDateTime()).fetchSingle().value1();
        if (entrypoints.isEmpty()) {
            return new HeldSlots(List.of(), now);
        }
        List<HeldSlot> slots = dsl.select(PGQUEUER.ENTRYPOINT, PGQUEUER.SLOT, PGQUEUER.QUEUE_MANAGER_ID, PGQUEUER.HEARTBEAT)
                .from(PGQUEUER)
                .where(PGQUEUER.STATUS.eq(Statuses.literal(PgqueuerStatus.picked)))
                .and(PGQUEUER.ENTRYPOINT.in(entrypoints))
                .and(PGQUEUER.SLOT.isNotNull())
                .orderBy(PGQUEUER.ENTRYPOINT, PGQUEUER.SLOT)
                .fetch(r -> new HeldSlot(r.value1(), r.value2(), Optional.ofNullable(r.value3()), r.value4()));
        return new HeldSlots(slots, now);
    }
}
