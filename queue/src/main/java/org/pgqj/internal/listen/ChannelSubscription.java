package org.pgqj.internal.listen;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * LISTEN on one channel of a connection, read its payloads as they arrive ({@link NotificationReader}),
 * and UNLISTEN at the end: the one way pgqj listens (the worker's {@code ChannelListener},
 * {@code QueueAdmin.waitForCompletion}, the CLI's {@code listen}).
 *
 * <p>The connection must be in auto-commit (a LISTEN inside a transaction takes effect only at its
 * commit) and is used by one thread. {@link #close()} sends UNLISTEN, so a pooled connection goes back
 * without it (its next user would otherwise receive this channel's events); a connection that is
 * about to be discarded can simply be closed instead.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class ChannelSubscription implements AutoCloseable {

    private final Connection connection;
    private final String channel;
    private final List<String> others;
    private final NotificationReader reader;

    private ChannelSubscription(Connection connection, String channel, List<String> others, NotificationReader reader) {
        this.connection = connection;
        this.channel = channel;
        this.others = others;
        this.reader = reader;
    }

    /**
     * Sends {@code LISTEN "channel"} on {@code connection} (the channel quoted as an identifier).
     */
    public static ChannelSubscription listen(Connection connection, String channel) throws SQLException {
        return listen(connection, channel, List.of());
    }

    /**
     * Sends {@code LISTEN} for {@code channel} and each of {@code others} on {@code connection}: one connection
     * carries them all, {@link #readNotifications} tells them apart.
     */
    public static ChannelSubscription listen(Connection connection, String channel, List<String> others)
            throws SQLException {
        try (Statement st = connection.createStatement()) {
            // LISTEN takes an identifier, not a bind parameter (and jOOQ has no LISTEN statement)
            st.execute("LISTEN " + quote(channel));
            for (String other : others) {
                st.execute("LISTEN " + quote(other));
            }
        }
        return new ChannelSubscription(connection, channel, List.copyOf(others), NotificationReader.of(connection));
    }

    /** The channel listened on. */
    public String channel() {
        return channel;
    }

    /** Whether payloads are read straight off pgjdbc's stream (see {@link NotificationReader}). */
    public boolean isDirect() {
        return reader.isDirect();
    }

    /**
     * Waits up to {@code timeoutMillis} for notifications and returns their payloads in arrival order
     * (empty on timeout). A lost connection is an {@link SQLException}.
     */
    public List<String> read(int timeoutMillis) throws SQLException {
        return reader.read(timeoutMillis);
    }

    /** As {@link #read}, with each notification's channel (for a subscription of several channels). */
    public List<NotificationReader.Notification> readNotifications(int timeoutMillis) throws SQLException {
        return reader.readNotifications(timeoutMillis);
    }

    /** Sends {@code UNLISTEN} for every channel of this subscription; the connection stays open. */
    @Override
    public void close() throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("UNLISTEN " + quote(channel));
            for (String other : others) {
                st.execute("UNLISTEN " + quote(other));
            }
        }
    }

    private static String quote(String channel) {
        return "\"" + channel.replace("\"", "\"\"") + "\"";
    }
}
