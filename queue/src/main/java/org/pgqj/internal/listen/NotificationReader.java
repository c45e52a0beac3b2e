package org.pgqj.internal.listen;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.pgqj.internal.sql.ConnectionErrors;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.PGStream;
import org.postgresql.core.QueryExecutor;
import org.postgresql.core.QueryExecutorBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes notification payloads off a LISTEN connection the moment they arrive.
 *
 * <p>Why not just {@link PGConnection#getNotifications(int)}: after reading a notification, pgjdbc
 * checks for more with a read that waits 1 ms ({@code PGStream.hasMessagePending} sets a 1 ms socket
 * timeout; seen with strace as {@code poll(..., 1)} after every notification), so every wake-up
 * arrived 1.0–1.3 ms late: a third of the worker's whole enqueue→handler latency budget. So when
 * the next message on the stream is a NotificationResponse ({@code 'A'}), this reads it with
 * pgjdbc's own stream methods and returns at once; any other message (a notice, an error such as the
 * server's "terminating connection") is left to {@code getNotifications}, which handles it as
 * always. pgjdbc keeps its stream in a protected field, reached by reflection; where that is not
 * possible (another driver build), every read goes through {@code getNotifications}.
 *
 * <p>Used only by the one thread that owns the connection (the listener), and only between statements.
 * Reached through {@link ChannelSubscription}.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class NotificationReader {

    private static final Logger LOG = LoggerFactory.getLogger(NotificationReader.class);
    private static final int NOTIFICATION_RESPONSE = 'A';

    private final PGConnection pg;
    private final QueryExecutor executor;
    private final PGStream stream;

    private NotificationReader(PGConnection pg, QueryExecutor executor, PGStream stream) {
        this.pg = pg;
        this.executor = executor;
        this.stream = stream;
    }

    /** A reader for a pgjdbc connection; direct when pgjdbc's stream can be reached. */
    public static NotificationReader of(Connection connection) throws SQLException {
        PGConnection pg = connection.unwrap(PGConnection.class);
        QueryExecutor executor = connection.unwrap(BaseConnection.class).getQueryExecutor();
        return new NotificationReader(pg, executor, stream(executor).orElse(null));
    }

    /** Whether notifications are read straight off the stream (no 1 ms tail per read). */
    public boolean isDirect() {
        return stream != null;
    }

    private static Optional<PGStream> stream(QueryExecutor executor) {
        try {
            if (executor instanceof QueryExecutorBase) {
                Field field = QueryExecutorBase.class.getDeclaredField("pgStream");
                field.setAccessible(true);
                return Optional.ofNullable((PGStream) field.get(executor));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("pgjdbc's stream is not reachable ({}); notifications arrive through getNotifications", e.toString());
        }
        return Optional.empty();
    }

    /** One notification: the channel it came on, and its payload. */
    public record Notification(String channel, String payload) {
    }

    /**
     * Waits up to {@code timeoutMillis} for notifications and returns their payloads (empty on timeout).
     * A lost connection is an {@link SQLException}.
     */
    public List<String> read(int timeoutMillis) throws SQLException {
        List<Notification> received = readNotifications(timeoutMillis);
        if (received.size() == 1) {
            return List.of(received.getFirst().payload());
        }
        return received.stream().map(Notification::payload).toList();
    }

    /**
     * As {@link #read}, with each notification's channel: for a connection that listens on more than one.
     */
    public List<Notification> readNotifications(int timeoutMillis) throws SQLException {
        if (stream == null) {
            return payloads(pg.getNotifications(timeoutMillis));
        }
        // notifications pgjdbc took in while running a statement here (the health probe's own, say)
        List<Notification> received = payloads(executor.getNotifications());
        if (!received.isEmpty()) {
            return received;
        }
        try {
            int next = peek(timeoutMillis);
            if (next < 0) {
                return List.of();
            }
            if (next != NOTIFICATION_RESPONSE) {
                return payloads(pg.getNotifications(timeoutMillis));
            }
            // NotificationResponse: 'A', int32 length, int32 sender pid, channel, payload (C strings)
            stream.receiveChar();
            stream.receiveInteger4();
            stream.receiveInteger4();
            String channel = stream.receiveString();
            return List.of(new Notification(channel, stream.receiveString()));
        } catch (IOException e) {
            // an EOFException (the server closed the connection) has no message: name the exception instead
            throw new SQLException("LISTEN connection failed: " + ConnectionErrors.describe(e), "08006", e);
        }
    }

    /** The next message type, or -1 when nothing arrived within the timeout. */
    private int peek(int timeoutMillis) throws IOException {
        // pgjdbc's own timeout setter: a bare socket timeout would be retried inside the driver's buffer
        int before = stream.getNetworkTimeout();
        stream.setNetworkTimeout(Math.max(1, timeoutMillis));
        try {
            return stream.peekChar();
        } catch (SocketTimeoutException e) {
            return -1;
        } finally {
            stream.setNetworkTimeout(before);
        }
    }

    private static List<Notification> payloads(PGNotification[] notifications) {
        if (notifications == null || notifications.length == 0) {
            return List.of();
        }
        List<Notification> payloads = new ArrayList<>(notifications.length);
        for (PGNotification n : notifications) {
            payloads.add(new Notification(n.getName(), n.getParameter()));
        }
        return payloads;
    }
}
