package org.pgqj.notify;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Tells workers that these jobs were canceled; the one running a job cancels it.
 *
 * @param channel    the channel
 * @param sentAt     when the canceller sent it
 * @param receivedAt the sender's {@code received_at} (pgqueuer serialises its creation time)
 * @param ids        the canceled job ids
 */
public record CancellationEvent(String channel, Instant sentAt, Instant receivedAt, List<Long> ids) implements NotifyEvent {

    /** The type discriminator. */
    public static final String TYPE = "cancellation_event";

    /** Validates and copies. */
    public CancellationEvent {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(sentAt, "sentAt");
        Objects.requireNonNull(receivedAt, "receivedAt");
        ids = List.copyOf(ids);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
