package org.pgqj.worker;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.pgqj.internal.controls.PauseTable;
import org.pgqj.internal.sql.ConnectionErrors;
import org.pgqj.internal.sql.DedicatedConnection;
import org.pgqj.schema.PgqueuerNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of a worker's entrypoints it must not claim: paused on this worker in code ({@link Worker#pause}) or for
 * every Java worker ({@code QueueAdmin.pause}, a row in pgqj's own table). The claim loop asks {@link #due} before
 * each claim (one volatile read and a clock read when nothing changed) and re-reads the table on its own connection
 * when told (a notification on pgqj's controls channel, the listener back, a pause in code) or every
 * {@link WorkerOptions#pauseRecheckInterval()}. A missing table means "nothing paused fleet-wide".
 */
final class Pauses {

    private static final Logger LOG = LoggerFactory.getLogger(Pauses.class);
    /** How soon a failed re-read is tried again. */
    private static final long RETRY_NANOS = 1_000_000_000L;

    private final String workerId;
    private final Set<String> registered;
    private final PgqueuerNames names;
    private final long recheckNanos;
    /** Paused in code on this worker: written by any thread (Worker.pause / resume), read by the claim loop. */
    private final Set<String> local = ConcurrentHashMap.newKeySet();
    /** Set by the listener (notification, reconnect) and pause in code; cleared by the claim loop before it reads. */
    private volatile boolean dirty = true;
    /** Paused fleet-wide for this worker's entrypoints, by whom. Claim loop only. */
    private Map<String, String> fleet = Map.of();
    /** What the claim loop leaves out now; written by the claim loop, read by any thread (Worker.pausedEntrypoints). */
    private volatile Set<String> effective = Set.of();
    /** When the next slow re-read is due (System.nanoTime). Claim loop only. */
    private long nextRecheck;
    /** Whether the missing table was reported. Claim loop only. */
    private boolean reportedMissing;
    /** Whether a read succeeded once: until then the claim loop claims nothing. Claim loop only. */
    private boolean known;
    /** Whether the last read failed (its outage is logged once). Claim loop only. */
    private boolean failing;

    Pauses(String workerId, Set<String> registered, PgqueuerNames names, WorkerOptions options) {
        this.workerId = workerId;
        this.registered = Set.copyOf(registered);
        this.names = names;
        this.recheckNanos = options.pauseRecheckInterval().toNanos();
    }

    /** Pauses {@code entrypoint} on this worker only; false when it was paused here already. */
    boolean pauseLocally(String entrypoint) {
        boolean added = local.add(entrypoint);
        if (added) {
            LOG.info("Worker {}: entrypoint '{}' paused on this worker (in code)", workerId, entrypoint);
            dirty = true;
        }
        return added;
    }

    /** Resumes {@code entrypoint} on this worker; a fleet-wide pause stays. False when it was not paused here. */
    boolean resumeLocally(String entrypoint) {
        boolean removed = local.remove(entrypoint);
        if (removed) {
            LOG.info("Worker {}: entrypoint '{}' resumed on this worker (in code)", workerId, entrypoint);
            dirty = true;
        }
        return removed;
    }

    /** The listener heard of a change, or is back after missing some: re-read before the next claim. */
    void changed() {
        dirty = true;
    }

    /** What the worker does not claim now. */
    Set<String> effective() {
        return effective;
    }

    /**
     * Whether the pauses were read once: a worker starting while an entrypoint is paused must not claim it because
     * its first read failed.
     */
    boolean known() {
        return known;
    }

    /** Whether the claim loop must re-read before its next claim. */
    boolean due() {
        return dirty || System.nanoTime() - nextRecheck >= 0;
    }

    /** Nanos until the slow re-read is due (the claim loop waits no longer). */
    long nanosUntilRecheck() {
        return Math.max(0, nextRecheck - System.nanoTime());
    }

    /**
     * The claim loop: re-reads the fleet-wide pauses on {@code connection}; returns the new set when what it leaves
     * out changed (logged, one line per entrypoint), else empty. A failed read keeps the last state.
     */
    Optional<Set<String>> refresh(DedicatedConnection connection) {
        dirty = false;
        long now = System.nanoTime();
        Optional<List<PauseTable.Row>> rows;
        try {
            rows = connection.run(dsl -> PauseTable.read(dsl, names));
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.warn("Worker {} cannot read the paused entrypoints ({}){}; {}, and tries again every second",
                        workerId, ConnectionErrors.describe(e), ConnectionErrors.isPermissionDenied(e)
                                ? ": its role needs SELECT on " + names.qualified(names.pausedEntrypointsTable()) : "",
                        known ? "keeps " + effective + " paused" : "claims nothing until it can (a paused entrypoint "
                                + "must not slip through)");
            }
            LOG.debug("Reading the paused entrypoints failed", e);
            nextRecheck = now + RETRY_NANOS;
            return Optional.empty();
        }
        if (failing) {
            failing = false;
            LOG.info("Worker {} reads the paused entrypoints again", workerId);
        }
        known = true;
        nextRecheck = now + recheckNanos;
        if (rows.isEmpty() && !reportedMissing) {
            reportedMissing = true;
            LOG.info("Worker {}: pgqj's control tables are not installed ({} is missing): no entrypoint is paused "
                    + "fleet-wide; install them (pgqj install --controls) to pause with QueueAdmin.pause / pgqj pause",
                    workerId, names.qualified(names.pausedEntrypointsTable()));
        } else if (rows.isPresent()) {
            reportedMissing = false;
        }
        Map<String, String> current = new TreeMap<>();
        rows.orElse(List.of()).stream().filter(r -> registered.contains(r.entrypoint()))
                .forEach(r -> current.put(r.entrypoint(), r.pausedBy()));
        Map<String, String> before = fleet;
        fleet = Map.copyOf(current);
        current.forEach((entrypoint, by) -> {
            if (!before.containsKey(entrypoint)) {
                LOG.info("Worker {}: entrypoint '{}' paused for every Java worker by {}; claims none of its jobs",
                        workerId, entrypoint, by);
            }
        });
        before.keySet().stream().filter(e -> !current.containsKey(e)).forEach(entrypoint -> LOG.info(
                "Worker {}: entrypoint '{}' resumed for every Java worker{}", workerId, entrypoint,
                local.contains(entrypoint) ? "; still paused on this worker (in code)" : ""));
        Set<String> next = new TreeSet<>(fleet.keySet());
        next.addAll(local);
        if (next.equals(effective)) {
            return Optional.empty();
        }
        effective = Set.copyOf(next);
        return Optional.of(effective);
    }

    /** The registered entrypoints that are not paused, in registration order. */
    static List<String> active(List<String> registeredInOrder, Set<String> paused) {
        return registeredInOrder.stream().filter(e -> !paused.contains(e)).toList();
    }
}
