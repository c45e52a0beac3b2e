package org.pgqj.worker;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.sql.Backoff;
import org.pgqj.internal.sql.ConnectionErrors;
import org.pgqj.internal.sql.DedicatedConnection;
import org.pgqj.notify.CancellationEvent;
import org.pgqj.notify.ChannelListener;
import org.pgqj.notify.TableChangedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's own connections: claims (the claim loop's), writes (the writer thread's) and, unless poll-only,
 * the LISTEN connection, whose events go to the {@link Wakeup} rules, cancellations to the running jobs.
 * {@link #open} opens all of them before anything is claimed: a worker that could claim but not write its
 * outcomes would run jobs nobody records.
 */
final class WorkerConnections implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerConnections.class);

    private final DataSource dataSource;
    private final QueueTables tables;
    private final WorkerOptions options;
    private final String listenerName;
    final DedicatedConnection claims;
    final DedicatedConnection writes;
    /** Written by open() on the starting thread; read by any thread through isListening(). */
    private volatile ChannelListener listener;

    WorkerConnections(DataSource dataSource, QueueTables tables, WorkerOptions options, String listenerName) {
        this.dataSource = dataSource;
        this.tables = tables;
        this.options = options;
        this.listenerName = listenerName;
        this.claims = new DedicatedConnection(dataSource, tables, WorkerException::new, options.listen());
        this.writes = new DedicatedConnection(dataSource, tables, WorkerException::new, options.listen());
    }

    /** Whether the LISTEN connection is up. */
    boolean isListening() {
        ChannelListener l = listener;
        return l != null && l.isConnected();
    }

    /**
     * Opens every connection, waiting up to {@link WorkerOptions#startupWait()} for a server that refuses them;
     * on a failure closes what it opened and throws, naming {@code max_connections} when the server is full.
     */
    void open(Wakeup wakeup, OwnedJobs owned, Observers observers, Pauses pauses) {
        try {
            openAll(wakeup, owned, observers, pauses);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void openAll(Wakeup wakeup, OwnedJobs owned, Observers observers, Pauses pauses) {
        long deadline = System.nanoTime() + options.startupWait().toNanos();
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
        for (DedicatedConnection c : new DedicatedConnection[] {claims, writes}) {
            while (true) {
                try {
                    c.open();
                    break;
                } catch (WorkerException e) {
                    if (System.nanoTime() - deadline >= 0) {
                        throw startupFailure(c == claims ? "claim" : "completion-write", e);
                    }
                    Duration wait = backoff.failed();
                    LOG.warn("Worker {} waits for a connection ({}); retrying in {} ms", options.workerId(), e.getMessage(),
                            wait.toMillis());
                    Backoff.sleep(wait);
                }
            }
        }
        if (!options.listen()) {
            return;
        }
        // pgqj's controls come on a channel of their own: Python workers parse every event on pgqueuer's
        listener = ChannelListener.start(dataSource, tables.channel(), Set.of(tables.names().controlsChannel()),
                listenerName, new ChannelListener.Handler() {
            @Override
            public void onTableChanged(TableChangedEvent event) {
                wakeup.tableChanged(event);
            }

            @Override
            public void onCancellation(CancellationEvent event) {
                event.ids().forEach(owned::cancel);
            }

            @Override
            public void onOtherChannel(String channel, String payload) {
                pauses.changed(); // a pause or resume: the claim loop re-reads the table before it claims
                wakeup.claimNow();
            }

            @Override
            public void onConnected() {
                pauses.changed(); // a pause or resume may have been missed while the connection was down
                wakeup.listenerConnected();
                observers.onListenerConnected();
            }

            @Override
            public void onDisconnected() {
                observers.onListenerDisconnected();
            }
        }, options.healthCheckInterval());
        // the listener connects on its own thread; a refusal shows up as its last failure
        long hardDeadline = deadline + TimeUnit.SECONDS.toNanos(60);
        try {
            while (!listener.awaitConnected(Duration.ofMillis(50))) {
                long now = System.nanoTime();
                var failure = listener.lastFailure();
                if ((failure.isPresent() && now - deadline >= 0) || now - hardDeadline >= 0) {
                    Exception cause = failure.orElse(null);
                    throw startupFailure("LISTEN", cause == null
                            ? new WorkerException("no LISTEN connection within " + options.startupWait().plusSeconds(60))
                            : cause);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerException("Worker " + options.workerId() + " was interrupted while opening its connections", e);
        }
    }

    private WorkerException startupFailure(String which, Exception e) {
        int needed = options.listen() ? 3 : 2;
        String why = ConnectionErrors.describe(e);
        String worker = "Worker " + options.workerId();
        if (ConnectionErrors.isTooManyConnections(e)) {
            return new WorkerException(worker + " cannot start: it needs " + needed + " connections (claims, "
                    + "completion writes" + (options.listen() ? ", LISTEN" : "") + ") and the server refused its " + which
                    + " connection: " + why + ". The server's max_connections is used up: raise max_connections, "
                    + "give other pools fewer connections, run fewer workers, or let the worker wait for a free "
                    + "connection with WorkerOptions.startupWait (pgqj run --startup-wait)", e);
        }
        return new WorkerException(worker + " cannot start: could not open its " + which + " connection: "
                + why + ". Check the database URL and that the server is up, or let the worker wait with "
                + "WorkerOptions.startupWait (pgqj run --startup-wait)", e);
    }

    @Override
    public void close() {
        ChannelListener l = listener;
        if (l != null) {
            l.close();
        }
        claims.close();
        writes.close();
    }
}
