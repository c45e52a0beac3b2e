package org.pgqj.worker;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.queue.ClaimQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started worker: its connections, the roles of its core wired together, and their two platform threads
 * (the claim loop, the writer). {@link #start} wires and opens everything before the first claim; {@link #stop}
 * takes it down in order: stop claiming, let running jobs end (up to the shutdown timeout), write what is
 * left, close the connections.
 */
final class RunningWorker {

    private static final Logger LOG = LoggerFactory.getLogger(RunningWorker.class);

    private final UUID id;
    private final WorkerOptions options;
    private final WorkerConnections connections;
    private final Wakeup wakeup;
    private final OwnedJobs owned;
    private final WriterThreadSink writer;
    private final Thread claimThread;
    private final Thread writerThread;
    /** Null unless {@link WorkerOptions#shutdownHook()}. */
    private final Thread shutdownHook;

    private RunningWorker(WorkerOptions options, WorkerConnections connections, Wakeup wakeup, OwnedJobs owned,
                          WriterThreadSink writer, ClaimLoop claims, Thread shutdownHook) {
        this.id = options.workerId();
        this.options = options;
        this.connections = connections;
        this.wakeup = wakeup;
        this.owned = owned;
        this.writer = writer;
        this.shutdownHook = shutdownHook;
        this.writerThread = Thread.ofPlatform().name("pgqj-writer-" + id).daemon().start(writer::loop);
        this.claimThread = Thread.ofPlatform().name("pgqj-claims-" + id).daemon().start(claims::loop);
    }

    /**
     * Wires the roles, opens the connections (see {@link WorkerConnections#open}), registers {@code close} as a
     * JVM shutdown hook when the options say so, and starts the threads.
     */
    static RunningWorker start(DataSource dataSource, QueueTables tables, WorkerOptions options,
                               List<Registration> registrations, Observers observers, String listenerName,
                               Runnable close) {
        UUID id = options.workerId();
        OutcomeBuffer claimLoopBuffer = new OutcomeBuffer();
        OutcomeBuffer writerBuffer = new OutcomeBuffer();
        OwnedJobs owned = new OwnedJobs(List.of(claimLoopBuffer, writerBuffer));
        Wakeup wakeup = new Wakeup(options, registrations.stream().anyMatch(Registration::holdsSlots),
                () -> !writerBuffer.isEmpty());
        WorkerConnections connections = new WorkerConnections(dataSource, tables, options, listenerName);
        Housekeeping housekeeping = new Housekeeping(options, registrations, owned, tables.names());
        WriterThreadSink writer = new WriterThreadSink(id, writerBuffer, connections.writes, wakeup, housekeeping,
                observers);
        ClaimQuery claimQuery = new ClaimQuery(id, tables.names());
        WithClaimSink withClaim = new WithClaimSink(claimLoopBuffer, writer, claimQuery, observers);
        JobRunner runner = new JobRunner(id, registrations, writer, withClaim, owned, wakeup, housekeeping);
        ClaimLoop claims = new ClaimLoop(options, registrations, claimQuery, connections.claims, wakeup, runner, owned,
                withClaim, writer, connections::isListening, observers);
        connections.open(wakeup, owned, observers);
        Thread hook = null;
        if (options.shutdownHook()) {
            hook = new Thread(close, "pgqj-shutdown-" + id);
            try {
                Runtime.getRuntime().addShutdownHook(hook);
            } catch (IllegalStateException e) {
                connections.close();
                throw new WorkerException("Worker " + id + " cannot start: the JVM is shutting down", e);
            }
        }
        // before the first claim, so per-entrypoint meters exist at zero ("never ran" can be alerted on)
        observers.onStarted(registrations.stream().map(Registration::name)
                .collect(Collectors.toCollection(LinkedHashSet::new)));
        return new RunningWorker(options, connections, wakeup, owned, writer, claims, hook);
    }

    boolean isListening() {
        return connections.isListening();
    }

    int runningJobs() {
        return wakeup.running();
    }

    boolean awaitDrained(Duration timeout) throws InterruptedException {
        return wakeup.awaitDrained(timeout);
    }

    /** Waits until the claim loop ends: in drain mode when nothing is left, otherwise at {@link #stop()}. */
    void awaitClaimsEnded() throws InterruptedException {
        claimThread.join();
    }

    /** Graceful shutdown; jobs still running after the shutdown timeout are cancelled and left {@code picked}. */
    void stop() {
        wakeup.stopClaims();
        join(claimThread, Duration.ofSeconds(30));
        boolean idle;
        try {
            idle = wakeup.awaitIdle(options.shutdownTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            idle = false;
        }
        if (!idle) {
            LOG.warn("Worker {} closing with {} jobs still running after {}; they will be re-run elsewhere",
                    id, wakeup.running(), options.shutdownTimeout());
        }
        writer.close();
        join(writerThread, Duration.ofSeconds(5));
        writer.finalFlush();
        if (!idle) {
            owned.cancelAll();
        }
        connections.close();
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down
            }
        }
    }

    private static void join(Thread t, Duration timeout) {
        if (t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
