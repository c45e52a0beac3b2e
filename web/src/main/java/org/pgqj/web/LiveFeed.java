package org.pgqj.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.pgqj.core.QueueTables;
import org.pgqj.notify.CancellationEvent;
import org.pgqj.notify.ChannelListener;
import org.pgqj.notify.TableChangedEvent;
import org.pgqj.web.Views.SizeRow;
import org.pgqj.web.Views.Sizes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live updates for every open page from ONE {@code LISTEN} per dashboard: a queue-table NOTIFY marks the
 * snapshot stale; within {@link #DEBOUNCE} one query reads the queue sizes and the same server-sent event goes
 * to every viewer. A hundred viewers cost the database what one costs. The trigger fires on INSERT, DELETE and
 * TRUNCATE only (pgqueuer 1.x; requeues and retries send their own NOTIFY since 2.0): claims and held failures
 * are UPDATEs and send nothing, so while anyone is watching the snapshot is also re-read every {@link #SWEEP}
 * (once per server, not per viewer). Pages with the throughput chart also get a {@code throughput} event,
 * re-read at most every {@link #CHART_EVERY}. All writes to viewers happen on the feed's single thread.
 */
final class LiveFeed implements ChannelListener.Handler, AutoCloseable {

    /** NOTIFY storms fold into one refresh per this long (pgqueuer's dashboard waits 250 ms too). */
    static final Duration DEBOUNCE = Duration.ofMillis(250);
    /** How often the snapshot is re-read while viewers are connected, for the changes that do not NOTIFY. */
    static final Duration SWEEP = Duration.ofSeconds(5);
    /** The throughput chart counts per minute: re-reading it on every debounced NOTIFY would buy nothing. */
    static final Duration CHART_EVERY = Duration.ofSeconds(2);
    private static final Duration KEEPALIVE = Duration.ofSeconds(15);
    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DashboardQueries queries;
    private final Set<AsyncContext> viewers = ConcurrentHashMap.newKeySet();
    private final Set<AsyncContext> chartViewers = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("pgqj-web-live").daemon().factory());
    private final AtomicBoolean refreshPending = new AtomicBoolean();
    private final ChannelListener listener;
    private volatile List<SizeRow> sizes = List.of();
    private volatile String snapshot = "";
    private volatile long snapshotNanos;
    private volatile String chart = "";
    private Throughput chartPushed; // feed thread only
    private final Object chartLock = new Object();
    private Throughput chartRead;
    private long chartReadNanos;
    private volatile long refreshes;

    LiveFeed(DataSource dataSource, QueueTables tables, DashboardQueries queries, Duration healthCheckInterval) {
        this.queries = queries;
        this.listener = ChannelListener.start(dataSource, tables.channel(), "pgqj-web", this, healthCheckInterval);
        thread.scheduleWithFixedDelay(this::keepalive, KEEPALIVE.toMillis(), KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS);
        thread.scheduleWithFixedDelay(this::sweep, SWEEP.toMillis(), SWEEP.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The entrypoints of the last snapshot (for the jobs filter); empty before the first one. */
    List<String> entrypoints() {
        return sizes.stream().map(SizeRow::entrypoint).toList();
    }

    /** How many snapshots were read so far (one per debounced burst of notifications, not per viewer). */
    long refreshes() {
        return refreshes;
    }

    /** Whether the LISTEN connection is up. */
    boolean isListening() {
        return listener.isConnected();
    }

    /** Waits for the first LISTEN. */
    boolean awaitListening(Duration timeout) throws InterruptedException {
        return listener.awaitConnected(timeout);
    }

    /** Adds a viewer (an async SSE response) and sends it the current snapshot; {@code charts}: the chart too. */
    void add(AsyncContext viewer, boolean charts) {
        viewer.setTimeout(0);
        viewer.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent e) {
                viewers.remove(viewer);
                chartViewers.remove(viewer);
            }

            @Override
            public void onTimeout(AsyncEvent e) {
                drop(viewer);
            }

            @Override
            public void onError(AsyncEvent e) {
                drop(viewer);
            }

            @Override
            public void onStartAsync(AsyncEvent e) {
            }
        });
        thread.execute(() -> {
            viewers.add(viewer);
            if (charts) {
                chartViewers.add(viewer);
            }
            if (snapshot.isEmpty() || System.nanoTime() - snapshotNanos > DEBOUNCE.toNanos()) {
                refresh(); // a fresh snapshot for the newcomer (everyone else gets it too)
            } else {
                send(viewer, "retry: 2000\nevent: queue\ndata: " + snapshot + "\n\n");
                if (charts && !chart.isEmpty()) {
                    send(viewer, "event: throughput\ndata: " + chart + "\n\n");
                }
            }
        });
    }

    /** Refreshes soon (after an action of this dashboard: requeue does not NOTIFY). */
    void changed() {
        if (refreshPending.compareAndSet(false, true)) {
            thread.schedule(this::refresh, DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void onTableChanged(TableChangedEvent event) {
        changed();
    }

    @Override
    public void onCancellation(CancellationEvent event) {
        changed();
    }

    @Override
    public void onConnected() {
        changed(); // events may have been missed while the connection was down
    }

    @Override
    public void onDisconnected() {
        thread.execute(() -> broadcast(viewers, "event: offline\ndata: {}\n\n"));
    }

    private void refresh() {
        refreshPending.set(false);
        try {
            boolean charts = !chartViewers.isEmpty();
            Throughput[] fresh = {null};
            snapshot = queries.read(q -> {
                Sizes now = queries.sizes(q);
                sizes = now.rows();
                if (charts) {
                    fresh[0] = throughput(() -> queries.throughput(q, now.at()));
                }
                return json(now);
            });
            snapshotNanos = System.nanoTime();
            refreshes++;
            broadcast(viewers, "event: queue\ndata: " + snapshot + "\n\n");
            if (fresh[0] != null && fresh[0] != chartPushed) { // a new read, not the one pushed last time
                chartPushed = fresh[0];
                chart = fresh[0].json();
                broadcast(chartViewers, "event: throughput\ndata: " + chart + "\n\n");
            }
        } catch (RuntimeException e) {
            LOG.warn("Live dashboard refresh failed: {}", e.getMessage());
        }
    }

    private static String json(Sizes sizes) {
        ObjectNode root = JSON.createObjectNode();
        root.put("at", sizes.at().toString());
        root.put("due", sizes.due());
        root.put("later", sizes.later());
        root.put("picked", sizes.picked());
        root.put("failed", sizes.failed());
        sizes.oldestDue().ifPresent(t -> root.put("oldestDueSeconds", Duration.between(t, sizes.at()).toSeconds()));
        ArrayNode list = root.putArray("entrypoints");
        for (SizeRow r : sizes.rows()) {
            ObjectNode o = list.addObject().put("entrypoint", r.entrypoint()).put("due", r.due()).put("later", r.later())
                    .put("picked", r.picked()).put("failed", r.failed()).put("total", r.total());
            r.oldestDue().ifPresent(t -> o.put("oldestDueSeconds", Duration.between(t, sizes.at()).toSeconds()));
        }
        return root.toString(); // one line: JSON escapes every newline, so it is one SSE data field
    }

    private void sweep() {
        if (!viewers.isEmpty() && System.nanoTime() - snapshotNanos >= SWEEP.toNanos() / 2) {
            refresh();
        }
    }

    private void keepalive() {
        broadcast(viewers, ": keepalive\n\n"); // a comment line; finds viewers that went away
    }

    private void broadcast(Set<AsyncContext> to, String event) {
        for (AsyncContext viewer : to) {
            send(viewer, event);
        }
    }

    private void send(AsyncContext viewer, String event) {
        try {
            OutputStream out = viewer.getResponse().getOutputStream();
            out.write(event.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException | RuntimeException e) {
            drop(viewer);
        }
    }

    private void drop(AsyncContext viewer) {
        chartViewers.remove(viewer);
        if (viewers.remove(viewer)) {
            try {
                viewer.complete();
            } catch (RuntimeException ignored) {
                // the container already ended it
            }
        }
    }

    /**
     * The throughput chart, read at most every {@link #CHART_EVERY} for every page and viewer together: its counts are
     * per minute, and a page opened a second after another gets the same.
     */
    Throughput throughput(Supplier<Throughput> read) {
        synchronized (chartLock) {
            if (chartRead == null || System.nanoTime() - chartReadNanos >= CHART_EVERY.toNanos()) {
                chartRead = read.get();
                chartReadNanos = System.nanoTime();
            }
            return chartRead;
        }
    }

    /** Number of connected viewers. */
    int viewers() {
        return viewers.size();
    }

    @Override
    public void close() {
        listener.close();
        thread.shutdownNow();
        for (AsyncContext viewer : viewers) {
            drop(viewer);
        }
    }
}
