package org.pgqj.notify;

import java.time.Instant;

/**
 * A payload on pgqueuer's NOTIFY channel (CONTRACT §5). Every event names its channel and when it was
 * sent; {@link NotifyEvents#parse(String)} reads the JSON, ignoring fields it does not know.
 */
public sealed interface NotifyEvent permits TableChangedEvent, CancellationEvent, HealthCheckEvent {

    /** The channel the sender meant, e.g. {@code ch_pgqueuer}. */
    String channel();

    /** When the sender created the event. */
    Instant sentAt();

    /** The {@code type} discriminator, e.g. {@code table_changed_event}. */
    String type();
}
