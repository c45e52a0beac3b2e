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
    private final NotificationReader reader;

    private ChannelSubscription(Connection connection, String channel, NotificationReader reader) {
        this.connection = connection;
        this.channel = channel;
        this.reader = reader;
    }

    /**
     * Sends {@code LISTEN "channel"} on {@code connection} (the channel quoted as an identifier).
     */
    public static ChannelSubscription listen(Connection connection, String channel) throws SQLException {
        String quoted = quote(channel);
        try (Statement st = connection.createStatement()) {
            // LISTEN takes an identifier, not a bind parameter (and jOOQ has no LISTEN statement)
            st.execute("LISTEN " + quoted);
        }
        return new ChannelSubscription(connection, channel, NotificationReader.of(connection));
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

    /** Sends {@code UNLISTEN "channel"}; the connection stays open. */
    @Override
    public void close() throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("UNLISTEN " + quote(channel));
        }
    }

    private static String quote(String channel) {
        return "\"" + channel.replace("\"", "\"\"") + "\"";
    }
}
