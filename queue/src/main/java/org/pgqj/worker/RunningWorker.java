package org.pgqj.worker;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.pgqj.core.Job;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.queue.ClaimQuery;
import org.pgqj.internal.queue.HeldSlotsQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started worker: its connections, the roles of its core wired together, and their two platform threads
 * (the claim loop, the writer; {@link JobRunner} adds a timer thread when an entrypoint has a timeout).
 * {@link #start} wires and opens everything before the first claim; {@link #stop} takes it down in order: stop
 * claiming, let running jobs end (up to the shutdown timeout), write what is left, close the connections.
 */
final class RunningWorker {

    private static final Logger LOG = LoggerFactory.getLogger(RunningWorker.class);

    private final UUID id;
    private final WorkerOptions options;
    private final WorkerConnections connections;
    private final Wakeup wakeup;
    private final OwnedJobs owned;
    private final WriterThreadSink writer;
    private final FailureLog failures;
    private final JobRunner runner;
    private final Thread claimThread;
    private final Thread writerThread;
    /** Null unless {@link WorkerOptions#shutdownHook()}. */
    private final Thread shutdownHook;

    private RunningWorker(WorkerOptions options, WorkerConnections connections, Wakeup wakeup, OwnedJobs owned,
                          WriterThreadSink writer, FailureLog failures, JobRunner runner, ClaimLoop claims,
                          Thread shutdownHook) {
        this.id = options.workerId();
        this.options = options;
        this.connections = connections;
        this.wakeup = wakeup;
        this.owned = owned;
        this.writer = writer;
        this.failures = failures;
        this.runner = runner;
        this.shutdownHook = shutdownHook;
        this.writerThread = Thread.ofPlatform().name("pgqj-writer-" + id).daemon().start(writer::loop);
        this.claimThread = Thread.ofPlatform().name("pgqj-claims-" + id).daemon().start(claims::loop);
    }

    /**
     * Wires the roles, opens the connections (see {@link WorkerConnections#open}), registers {@code close} as a
     * JVM shutdown hook when the options say so, and starts the threads.
     */
    static RunningWorker start(DataSource dataSource, QueueTables tables, WorkerOptions options,
                               List<Registration> registrations, Observers observers, Pauses pauses,
                               String listenerName, Runnable close) {
        UUID id = options.workerId();
        OutcomeBuffer claimLoopBuffer = new OutcomeBuffer();
        OutcomeBuffer writerBuffer = new OutcomeBuffer();
        OwnedJobs owned = new OwnedJobs(List.of(claimLoopBuffer, writerBuffer));
        Wakeup wakeup = new Wakeup(options, registrations.stream().anyMatch(Registration::holdsSlots),
                () -> !writerBuffer.isEmpty());
        WorkerConnections connections = new WorkerConnections(dataSource, tables, options, listenerName);
        FailureLog failures = new FailureLog(options.failureLogging());
        Housekeeping housekeeping = new Housekeeping(options, registrations, owned, tables.names(), failures);
        WriterThreadSink writer = new WriterThreadSink(id, writerBuffer, connections.writes, wakeup, housekeeping,
                observers);
        ClaimQuery claimQuery = new ClaimQuery(id, tables.names());
        WithClaimSink withClaim = new WithClaimSink(claimLoopBuffer, writer, claimQuery, observers);
        JobRunner runner = new JobRunner(id, registrations, writer, withClaim, owned, wakeup, housekeeping,
                failures);
        ClaimLoop claims = new ClaimLoop(options, registrations, claimQuery, connections.claims, wakeup, runner, owned,
                withClaim, writer, connections::isListening, observers, pauses);
        connections.open(wakeup, owned, observers, pauses);
        reportHeldSlots(options, registrations, connections);
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
        return new RunningWorker(options, connections, wakeup, owned, writer, failures, runner, claims, hook);
    }

    /**
     * Once at start: the slots of this worker's limited entrypoints that picked rows of other workers (or stale
     * ones of any) hold, whose, and when they are re-claimable as stale; nothing when none are held.
     */
    private static void reportHeldSlots(WorkerOptions options, List<Registration> registrations,
                                        WorkerConnections connections) {
        Map<String, Duration> staleAfter = new TreeMap<>();
        Map<String, Integer> limits = new TreeMap<>();
        registrations.stream().filter(Registration::holdsSlots).forEach(r -> {
            staleAfter.put(r.name(), r.options().retryTimer().orElse(options.heartbeatTimeout()));
            limits.put(r.name(), r.options().effectiveConcurrencyLimit());
        });
        if (staleAfter.isEmpty()) {
            return;
        }
        HeldSlotsQuery.HeldSlots held;
        try {
            held = connections.claims.run(dsl -> HeldSlotsQuery.fetch(dsl, staleAfter.keySet()));
        } catch (RuntimeException e) {
            LOG.debug("Worker {} could not read the held slots of its limited entrypoints", options.workerId(), e);
            return;
        }
        OffsetDateTime now = held.now();
        // by entrypoint and holder, in slot order; the last heartbeat decides when all of them are stale
        Map<String, Map<String, List<HeldSlotsQuery.HeldSlot>>> groups = new TreeMap<>();
        for (HeldSlotsQuery.HeldSlot s : held.slots()) {
            Duration stale = staleAfter.get(s.entrypoint());
            boolean own = s.worker().filter(options.workerId()::equals).isPresent();
            if (!own || !s.heartbeat().plus(stale).isAfter(now)) {
                groups.computeIfAbsent(s.entrypoint(), k -> new TreeMap<>())
                        .computeIfAbsent(s.worker().map(UUID::toString).orElse("none"), k -> new ArrayList<>()).add(s);
            }
        }
        if (groups.isEmpty()) {
            return;
        }
        List<String> parts = new ArrayList<>();
        boolean[] blocking = {false}; // a gone worker's stale rows, or every slot of an entrypoint taken
        groups.forEach((entrypoint, byWorker) -> {
            if (byWorker.values().stream().mapToInt(List::size).sum() >= limits.get(entrypoint)) {
                blocking[0] = true;
            }
        });
        groups.forEach((entrypoint, byWorker) -> byWorker.forEach((worker, slots) -> {
            OffsetDateTime last = slots.stream().map(HeldSlotsQuery.HeldSlot::heartbeat).max(OffsetDateTime::compareTo).orElseThrow();
            OffsetDateTime frees = last.plus(staleAfter.get(entrypoint));
            Duration in = Duration.between(now, frees);
            if (in.isNegative() || in.isZero()) {
                blocking[0] = true;
            }
            parts.add(entrypoint + " slots " + slots.stream().map(HeldSlotsQuery.HeldSlot::slot).toList() + " by worker "
                    + worker + " (heartbeat " + FailureLog.human(Duration.between(last, now)) + " ago; "
                    + (in.isNegative() || in.isZero() ? "stale now, re-claimable at once"
                            : "stale in " + FailureLog.human(in) + ", at " + frees.toInstant()) + ")");
        }));
        // other live workers holding some slots is a fleet at work (INFO); WARN when this worker can run none of an
        // entrypoint, or a gone worker's rows wait to be re-claimed
        LOG.atLevel(blocking[0] ? org.slf4j.event.Level.WARN : org.slf4j.event.Level.INFO).log(
                "Worker {} starts with slots of its limited entrypoints held by picked jobs: {}. A live worker frees "
                + "its slots as its jobs end; a gone one's jobs are re-claimed, slots and all, once their heartbeat is "
                + "stale", options.workerId(), String.join("; ", parts));
    }

    boolean isListening() {
        return connections.isListening();
    }

    int runningJobs() {
        return wakeup.running();
    }

    /** Wakes the claim loop: a pause in code changed. */
    void claimNow() {
        wakeup.claimNow();
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
        writer.close(); // from here an outcome is refused: a job still running stays picked
        if (!idle) {
            logLeftRunning(owned.running());
        }
        logOverdue(runner.overdue());
        join(writerThread, Duration.ofSeconds(5));
        writer.finalFlush();
        failures.summariseAll();
        if (!idle) {
            owned.cancelAll();
        }
        runner.close();
        connections.close();
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down
            }
        }
    }

    /** The one line naming every job the shutdown timeout leaves behind. */
    private void logLeftRunning(List<Job> left) {
        if (left.isEmpty()) {
            return; // they ended between the timeout and the writer's close: their outcomes are written
        }
        Map<String, Long> byEntrypoint = left.stream()
                .collect(Collectors.groupingBy(Job::entrypoint, TreeMap::new, Collectors.counting()));
        LOG.warn("Worker {} stopped with {} jobs still running after the {} shutdown timeout; interrupted and left "
                        + "picked for re-run once their heartbeat is stale (heartbeat timeout {}, or the entrypoint's "
                        + "retry timer): {} (entrypoints {})",
                id, left.size(), FailureLog.human(options.shutdownTimeout()), FailureLog.human(options.heartbeatTimeout()),
                left.stream().map(Job::id).toList(), byEntrypoint);
    }

    /** The one line naming the handlers that ignored their timeout and still run: not waited for. */
    private void logOverdue(List<Job> overdue) {
        if (!overdue.isEmpty()) {
            LOG.warn("Worker {} stops while {} jobs past their timeout still run on their threads (their timeout "
                    + "outcomes are recorded; not waited for): {}", id, overdue.size(), overdue.stream().map(Job::id).toList());
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
