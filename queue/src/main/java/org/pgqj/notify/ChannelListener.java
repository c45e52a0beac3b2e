package org.pgqj.notify;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.pgqj.internal.listen.ChannelSubscription;
import org.pgqj.internal.listen.NotificationReader;
import org.pgqj.internal.notify.NotifyPayloads;
import org.pgqj.internal.sql.Backoff;
import org.pgqj.internal.sql.ConnectionErrors;
import org.postgresql.ds.common.BaseDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LISTENs on pgqueuer's channel over a connection of its own, and keeps doing so: when the connection
 * drops or the database restarts it reconnects by itself (logging the loss and the return), and it
 * proves the connection alive by sending itself a {@code health_check_event} every
 * {@code healthCheckInterval}; after three probes in a row that do not come back within the interval each
 * (pgqueuer 2.2's rule), the connection counts as lost, logged at ERROR, and is replaced.
 *
 * <p>The connection is never one of the application's pooled connections: for a PostgreSQL data
 * source ({@link BaseDataSource}, e.g. {@code PGSimpleDataSource}) a fresh physical connection is
 * opened with the given application name; for any other data source one connection is taken and
 * kept for the listener's lifetime.
 */
public final class ChannelListener implements AutoCloseable {

    /** What the listener reports. Called on the listener's thread; keep it quick. */
    public interface Handler {
        /** A table change arrived. */
        void onTableChanged(TableChangedEvent event);

        /** A cancellation arrived. */
        void onCancellation(CancellationEvent event);

        /** The LISTEN connection is up (first time and after every reconnect); events may have been missed. */
        default void onConnected() {
        }

        /** The LISTEN connection was lost; poll until {@link #onConnected()}. */
        default void onDisconnected() {
        }

        /**
         * A notification on one of the other channels given to {@link ChannelListener#start(DataSource, String,
         * Set, String, Handler, Duration)} (pgqj's controls channel, say), with its raw payload.
         */
        default void onOtherChannel(String channel, String payload) {
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ChannelListener.class);
    private static final int POLL_MILLIS = 250;
    /** Unanswered health checks in a row after which the connection counts as dead (pgqueuer 2.2: three). */
    static final int MISSED_PROBES_TO_FAIL = 3;

    private final DataSource dataSource;
    private final String channel;
    private final List<String> otherChannels;
    private final String applicationName;
    private final Handler handler;
    private final Duration healthCheckInterval;
    private final Thread thread;
    private final CountDownLatch firstConnect = new CountDownLatch(1);
    private volatile boolean closed;
    private volatile boolean connected;
    private volatile Connection connection;
    private volatile Exception lastFailure;

    private ChannelListener(DataSource dataSource, String channel, Set<String> otherChannels, String applicationName,
                            Handler handler, Duration healthCheckInterval) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.channel = Objects.requireNonNull(channel, "channel");
        this.otherChannels = otherChannels.stream().filter(c -> !c.equals(channel)).sorted().toList();
        this.applicationName = Objects.requireNonNull(applicationName, "applicationName");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.healthCheckInterval = Objects.requireNonNull(healthCheckInterval, "healthCheckInterval");
        this.thread = Thread.ofPlatform().name("pgqj-listener-" + channel).daemon().unstarted(this::loop);
    }

    /**
     * Starts listening on {@code channel} and returns at once; the first connection is made on the
     * listener's thread (see {@link #awaitConnected(Duration)}).
     */
    public static ChannelListener start(DataSource dataSource, String channel, String applicationName,
                                        Handler handler, Duration healthCheckInterval) {
        return start(dataSource, channel, Set.of(), applicationName, handler, healthCheckInterval);
    }

    /**
     * As {@link #start(DataSource, String, String, Handler, Duration)}, listening on {@code otherChannels} too, on
     * the same connection: their notifications go, unparsed, to {@link Handler#onOtherChannel}.
     */
    public static ChannelListener start(DataSource dataSource, String channel, Set<String> otherChannels,
                                        String applicationName, Handler handler, Duration healthCheckInterval) {
        ChannelListener listener = new ChannelListener(dataSource, channel, Objects.requireNonNull(otherChannels,
                "otherChannels"), applicationName, handler, healthCheckInterval);
        listener.thread.start();
        return listener;
    }

    /** Whether the LISTEN connection is currently up. */
    public boolean isConnected() {
        return connected;
    }

    /** Waits until the first LISTEN is in place; false on timeout. */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return firstConnect.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Why the last attempt to connect or LISTEN failed; empty once connected. */
    public java.util.Optional<Exception> lastFailure() {
        return java.util.Optional.ofNullable(lastFailure);
    }

    /** The application name of the LISTEN connection (visible in {@code pg_stat_activity}). */
    public String applicationName() {
        return applicationName;
    }

    private void loop() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        boolean everConnected = false;
        while (!closed) {
            try {
                Connection c = open();
                connection = c;
                // Bounds every read on this connection, the probe's own round trip included: on a connection
                // that stays open but carries nothing any more, the probe statement would otherwise wait forever.
                c.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, Math.max(1, healthCheckInterval.toMillis())));
                // no UNLISTEN at the end: this connection is closed whenever the loop leaves it
                ChannelSubscription events = ChannelSubscription.listen(c, channel, otherChannels);
                connected = true;
                lastFailure = null;
                backoff.succeeded();
                if (everConnected) {
                    LOG.info("LISTEN connection on {} is back", channel);
                } else {
                    LOG.debug("LISTEN connection on {} established", channel);
                }
                everConnected = true;
                firstConnect.countDown();
                safely(handler::onConnected);
                listen(c, events);
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                lastFailure = e;
                if (connected) {
                    LOG.warn("LISTEN connection on {} lost ({}); polling until it is back", channel, ConnectionErrors.describe(e));
                    connected = false;
                    safely(handler::onDisconnected);
                } else {
                    LOG.debug("LISTEN connection on {} not available yet: {}", channel, ConnectionErrors.describe(e));
                }
            } finally {
                connected = false;
                closeQuietly(connection);
                connection = null;
            }
            if (!closed) {
                sleep(backoff.failed().toMillis());
            }
        }
    }

    private void listen(Connection c, ChannelSubscription events) throws SQLException {
        // every probe still unanswered; any of them coming back proves the session receives
        Set<UUID> pendingProbes = new HashSet<>();
        int missed = 0;
        Instant probeSent = Instant.now();
        Instant nextProbe = Instant.now().plus(healthCheckInterval);
        while (!closed) {
            for (NotificationReader.Notification n : events.readNotifications(POLL_MILLIS)) {
                if (!otherChannels.isEmpty() && !channel.equals(n.channel())) {
                    safely(() -> handler.onOtherChannel(n.channel(), n.payload()));
                    continue;
                }
                NotifyEvent event = NotifyEvents.parse(n.payload()).orElse(null);
                if (event instanceof TableChangedEvent t) {
                    safely(() -> handler.onTableChanged(t));
                } else if (event instanceof CancellationEvent ce) {
                    safely(() -> handler.onCancellation(ce));
                } else if (event instanceof HealthCheckEvent h && pendingProbes.contains(h.id())) {
                    pendingProbes.clear();
                    missed = 0;
                }
            }
            Instant now = Instant.now();
            boolean probeDue = pendingProbes.isEmpty() && now.isAfter(nextProbe);
            if (!pendingProbes.isEmpty() && now.isAfter(probeSent.plus(healthCheckInterval))) {
                // pgqueuer 2.2: a listener is dead only after MISSED_PROBES_TO_FAIL unanswered probes in a row,
                // so one slow round trip on a busy server does not cost a reconnect
                missed++;
                if (missed >= MISSED_PROBES_TO_FAIL) {
                    LOG.error("LISTEN connection on {} failed its health check: {} probes in a row did not come "
                            + "back within {} ms each; reconnecting", channel, missed, healthCheckInterval.toMillis());
                    throw new SQLException(missed + " health checks in a row did not come back within "
                            + healthCheckInterval.toMillis() + " ms");
                }
                LOG.warn("LISTEN connection on {}: health check {} of {} did not come back within {} ms", channel,
                        missed, MISSED_PROBES_TO_FAIL, healthCheckInterval.toMillis());
                probeDue = true; // probe again at once
            }
            if (probeDue) {
                UUID probe = UUID.randomUUID();
                pendingProbes.add(probe);
                probeSent = now;
                nextProbe = now.plus(healthCheckInterval);
                sendHealthCheck(c, probe, now);
            }
        }
    }

    private void sendHealthCheck(Connection c, UUID id, Instant now) throws SQLException {
        String json = NotifyPayloads.encode(new HealthCheckEvent(channel, now, now, id));
        // pg_notify on the listening connection itself: the probe proves this very session still receives.
        // Plain JDBC, not jOOQ: it touches no queue table, and this connection is a bare pgjdbc session.
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, channel);
            ps.setString(2, json);
            ps.execute();
        }
    }

    private Connection open() throws SQLException {
        if (dataSource.isWrapperFor(BaseDataSource.class)) {
            BaseDataSource base = dataSource.unwrap(BaseDataSource.class);
            org.postgresql.ds.PGSimpleDataSource own = new org.postgresql.ds.PGSimpleDataSource();
            own.setURL(base.getURL());
            if (base.getUser() != null) {
                own.setUser(base.getUser());
            }
            if (base.getPassword() != null) {
                own.setPassword(base.getPassword());
            }
            own.setApplicationName(applicationName);
            // the LISTEN loop must notice a dead server; keepalive + a socket timeout bound each wait
            own.setTcpKeepAlive(true);
            Connection c = own.getConnection();
            c.setAutoCommit(true);
            return c;
        }
        Connection c = dataSource.getConnection();
        c.setAutoCommit(true);
        try {
            c.setClientInfo("ApplicationName", applicationName);
        } catch (SQLException e) {
            LOG.debug("Could not set application name on the listener connection: {}", e.getMessage());
        }
        return c;
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.error("Listener handler failed", e);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the connection is being discarded anyway
            }
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Stops listening and closes the connection; waits up to 2 s for the thread. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(connection);
    }
}
