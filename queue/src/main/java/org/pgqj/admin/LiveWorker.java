package org.pgqj.admin;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A worker process connected to the database now, read from {@code pg_stat_activity} by
 * {@link QueueInspection#liveWorkers}.
 *
 * @param language which implementation it runs
 * @param workerId its id, which is also the {@code queue_manager_id} of the jobs it picks: known for a Java
 *                 worker (from its sessions' application name), empty for a Python one (pgqueuer keeps it in
 *                 the process)
 * @param sessions its database sessions (a Java worker's named ones; the one session of a Python worker)
 * @param jobs     the picked jobs held under its id (count, heartbeats, entrypoints) when it holds any; always
 *                 empty for a Python worker, whose jobs cannot be told from another Python worker's (see
 *                 {@link LiveWorkers#unattributedJobs()})
 */
public record LiveWorker(WorkerLanguage language, Optional<UUID> workerId, List<Session> sessions,
                         Optional<ActiveWorker> jobs) {

    /** Validates and copies. */
    public LiveWorker {
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(jobs, "jobs");
        sessions = List.copyOf(sessions);
        if (sessions.isEmpty()) {
            throw new IllegalArgumentException("a live worker has at least one session");
        }
    }

    /**
     * One database session ({@code pg_stat_activity} row). The times are empty when the reading role may not see
     * that session's activity (another role, without {@code pg_read_all_stats}).
     *
     * @param pid             the backend's process id
     * @param applicationName the application name it set ({@code ""} when none)
     * @param clientAddress   the client's address, empty for a Unix socket or when hidden
     * @param connectedSince  when the session started ({@code backend_start})
     * @param lastActivity    its last sign of life: now while it runs a statement, else when its last one ended
     */
    public record Session(int pid, String applicationName, Optional<String> clientAddress,
                          Optional<Instant> connectedSince, Optional<Instant> lastActivity) {
        /** Validates. */
        public Session {
            Objects.requireNonNull(applicationName, "applicationName");
            Objects.requireNonNull(clientAddress, "clientAddress");
            Objects.requireNonNull(connectedSince, "connectedSince");
            Objects.requireNonNull(lastActivity, "lastActivity");
        }
    }

    /** The newest sign of life: a statement on any of its sessions, or a heartbeat of a job it holds. */
    public Optional<Instant> lastSignOfLife() {
        return Stream.concat(sessions.stream().flatMap(s -> s.lastActivity().stream()),
                jobs.stream().map(ActiveWorker::newestHeartbeat)).max(Instant::compareTo);
    }

    /** When its oldest session connected, if visible. */
    public Optional<Instant> connectedSince() {
        return sessions.stream().flatMap(s -> s.connectedSince().stream()).min(Instant::compareTo);
    }

    /** How many jobs it runs now (picked under its id); 0 for a Python worker, whose jobs are not attributable. */
    public long runningJobs() {
        return jobs.map(ActiveWorker::activeJobs).orElse(0L);
    }

    /** The entrypoints of the jobs it runs now, sorted; empty when idle or Python (not in the database). */
    public List<String> entrypoints() {
        return jobs.map(ActiveWorker::entrypoints).orElse(List.of());
    }
}
