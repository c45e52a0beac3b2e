package org.pgqj.notify;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A listener sends one to itself to prove its LISTEN connection still works; others ignore foreign ids.
 *
 * @param channel    the channel
 * @param sentAt     when it was sent
 * @param receivedAt the sender's {@code received_at}
 * @param id         the probe's id
 */
public record HealthCheckEvent(String channel, Instant sentAt, Instant receivedAt, UUID id) implements NotifyEvent {

    /** The type discriminator. */
    public static final String TYPE = "health_check_event";

    /** Validates. */
    public HealthCheckEvent {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(sentAt, "sentAt");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(id, "id");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
