package org.pgqj.notify;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.pgqj.core.QueueTables;

/**
 * Sent by the queue table's statement trigger after INSERT, DELETE or TRUNCATE. Workers treat an
 * insert as "look for work now".
 *
 * @param channel   the channel
 * @param sentAt    the statement's {@code now()}
 * @param operation {@code insert}, {@code update}, {@code delete} or {@code truncate}
 * @param table     the bare table name, e.g. {@code pgqueuer}
 */
public record TableChangedEvent(String channel, Instant sentAt, String operation, String table) implements NotifyEvent {

    /** The type discriminator. */
    public static final String TYPE = "table_changed_event";

    /** Validates. */
    public TableChangedEvent {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(sentAt, "sentAt");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(table, "table");
    }

    /**
     * The event pgqueuer 2.0 sends after putting jobs back in the queue with an UPDATE (requeue, retry), which
     * the trigger does not announce: operation {@code update} on the install's queue table, sent now.
     */
    public static TableChangedEvent update(QueueTables tables) {
        return new TableChangedEvent(tables.channel(), Instant.now().truncatedTo(ChronoUnit.MICROS), "update",
                tables.names().queueTable());
    }

    /** Whether rows may have become claimable (an insert; pgqueuer also wakes on update). */
    public boolean addsWork() {
        return "insert".equals(operation) || "update".equals(operation);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
