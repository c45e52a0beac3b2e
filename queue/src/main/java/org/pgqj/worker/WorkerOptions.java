package org.pgqj.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * How a worker claims and runs jobs (pgqueuer's {@code QueueManager.run} options), and the one place for its
 * {@link JobInterceptor}s and {@link WorkerObserver}s. Immutable; start from {@link #defaults()} or
 * {@link #builder()}.
 */
public final class WorkerOptions {

    /** When a worker stops on its own. */
    public enum Mode {
        /** Runs until closed. */
        CONTINUOUS,
        /** Stops once nothing of its entrypoints is queued and nothing runs. */
        DRAIN
    }

    private final int batchSize;
    private final int maxBatchSize;
    /** As set on the builder: 0 when it follows batchSize (kept for toBuilder). */
    private final int maxBatchSizeSet;
    private final int maxConcurrentJobs;
    private final Duration heartbeatTimeout;
    private final Duration dequeueTimeout;
    private final Mode mode;
    private final UUID workerId;
    private final Duration shutdownTimeout;
    private final Duration statisticsInterval;
    private final Duration healthCheckInterval;
    private final Duration pauseRecheckInterval;
    private final boolean shutdownHook;
    private final boolean listen;
    private final Duration pollInterval;
    private final Duration startupWait;
    private final FailureLogging failureLogging;
    private final List<JobInterceptor> interceptors;
    private final Map<String, List<JobInterceptor>> entrypointInterceptors;
    private final List<WorkerObserver> observers;

    private WorkerOptions(Builder b) {
        this.batchSize = b.batchSize;
        this.maxBatchSizeSet = b.maxBatchSize;
        this.maxBatchSize = b.maxBatchSize == 0 ? Math.max(b.batchSize, DEFAULT_MAX_BATCH_SIZE) : b.maxBatchSize;
        if (maxBatchSize < batchSize) {
            throw new WorkerException("maxBatchSize (" + maxBatchSize + ") must be at least batchSize (" + batchSize
                    + "); set it equal to batchSize to claim a fixed number of jobs");
        }
        this.maxConcurrentJobs = b.maxConcurrentJobs;
        this.heartbeatTimeout = b.heartbeatTimeout;
        this.dequeueTimeout = b.dequeueTimeout;
        this.mode = b.mode;
        this.workerId = b.workerId == null ? UUID.randomUUID() : b.workerId;
        this.shutdownTimeout = b.shutdownTimeout;
        this.statisticsInterval = b.statisticsInterval;
        this.healthCheckInterval = b.healthCheckInterval;
        this.pauseRecheckInterval = b.pauseRecheckInterval;
        this.shutdownHook = b.shutdownHook;
        this.listen = b.listen;
        this.pollInterval = b.pollInterval;
        this.startupWait = b.startupWait;
        this.failureLogging = b.failureLogging;
        this.interceptors = List.copyOf(b.interceptors);
        Map<String, List<JobInterceptor>> byEntrypoint = new LinkedHashMap<>();
        b.entrypointInterceptors.forEach((name, chain) -> byEntrypoint.put(name, List.copyOf(chain)));
        this.entrypointInterceptors = Collections.unmodifiableMap(byEntrypoint);
        this.observers = List.copyOf(b.observers);
    }

    /** pgqueuer's defaults (batch 10, unlimited concurrency, 30 s heartbeat and dequeue timeouts) and a fresh id. */
    public static WorkerOptions defaults() {
        return builder().build();
    }

    /** The default of {@link #maxBatchSize()}. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 500;

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options (the same worker id, interceptors and observers). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.batchSize = batchSize;
        b.maxBatchSize = maxBatchSizeSet;
        b.maxConcurrentJobs = maxConcurrentJobs;
        b.heartbeatTimeout = heartbeatTimeout;
        b.dequeueTimeout = dequeueTimeout;
        b.mode = mode;
        b.workerId = workerId;
        b.shutdownTimeout = shutdownTimeout;
        b.statisticsInterval = statisticsInterval;
        b.healthCheckInterval = healthCheckInterval;
        b.pauseRecheckInterval = pauseRecheckInterval;
        b.shutdownHook = shutdownHook;
        b.listen = listen;
        b.pollInterval = pollInterval;
        b.startupWait = startupWait;
        b.failureLogging = failureLogging;
        b.interceptors.addAll(interceptors);
        entrypointInterceptors.forEach((name, chain) -> b.entrypointInterceptors.put(name, new ArrayList<>(chain)));
        b.observers.addAll(observers);
        return b;
    }

    /**
     * Jobs claimed by one statement when the queue is shallow (and the claim size the worker starts with);
     * also how many finished jobs make the worker write their outcomes at once instead of within 100 ms.
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Most jobs claimed by one statement when the backlog is deep. After a claim that came back full the next
     * asks for twice as many, up to this; after one that did not, the claim size is {@link #batchSize()} again.
     * Fewer, larger claims cost fewer round trips and commits per job, and a shallow queue keeps small
     * claims (its latency is that of one claim either way). Default {@value #DEFAULT_MAX_BATCH_SIZE} (or
     * {@code batchSize} if larger); equal to {@code batchSize} claims a fixed number.
     */
    public int maxBatchSize() {
        return maxBatchSize;
    }

    /** Most jobs running at once on this worker; 0 = unlimited. */
    public int maxConcurrentJobs() {
        return maxConcurrentJobs;
    }

    /** A picked job whose heartbeat is older than this is claimed again by another worker. */
    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    /** Longest wait between claims without a notification (poll fallback). */
    public Duration dequeueTimeout() {
        return dequeueTimeout;
    }

    /** Continuous or drain. */
    public Mode mode() {
        return mode;
    }

    /** This worker's id, written to {@code queue_manager_id}. */
    public UUID workerId() {
        return workerId;
    }

    /** How long {@code close()} waits for running jobs. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** How often log rows are folded into statistics; zero disables it. */
    public Duration statisticsInterval() {
        return statisticsInterval;
    }

    /** How often the listener proves its connection with a health check. */
    public Duration healthCheckInterval() {
        return healthCheckInterval;
    }

    /**
     * How often the worker re-reads the entrypoints paused fleet-wide ({@code QueueAdmin.pause}) without being told:
     * a pause or resume is announced on pgqj's own NOTIFY channel and read at once, and again after the LISTEN
     * connection comes back; this slow re-read covers what a notification cannot (poll-only mode). Default 30 s.
     */
    public Duration pauseRecheckInterval() {
        return pauseRecheckInterval;
    }

    /** Whether {@code start()} registers a JVM shutdown hook that closes the worker. */
    public boolean shutdownHook() {
        return shutdownHook;
    }

    /**
     * Whether the worker LISTENs for notifications (default). False is poll-only mode, for a data source
     * behind a transaction pooler (PgBouncer {@code pool_mode=transaction}, where LISTEN does not work): no
     * LISTEN connection, a claim at least every {@link #pollInterval()}, and the worker's connections carry
     * no session settings and name no statement on the server ({@code prepareThreshold} 0, whatever the URL
     * says). Cancellations (which arrive as notifications) are not seen in this mode.
     */
    public boolean listen() {
        return listen;
    }

    /** Longest wait between claims in poll-only mode or while the LISTEN connection is down. */
    public Duration pollInterval() {
        return pollInterval;
    }

    /**
     * How long {@code start()} waits for the worker's connections (2, plus the LISTEN one unless poll-only)
     * when the server refuses them, e.g. because {@code max_connections} is used up; zero (default) fails at once.
     */
    public Duration startupWait() {
        return startupWait;
    }

    /** How failed jobs are logged: a line each, levels, the flood summary (see {@link FailureLogging}). */
    public FailureLogging failureLogging() {
        return failureLogging;
    }

    /** Interceptors around every handler call of the worker, outermost first (see {@link JobInterceptor}). */
    public List<JobInterceptor> interceptors() {
        return interceptors;
    }

    /** Interceptors around one entrypoint's handler calls, inside the worker-wide ones, by entrypoint name. */
    public Map<String, List<JobInterceptor>> entrypointInterceptors() {
        return entrypointInterceptors;
    }

    /** Observers of the worker's claims, writes and listener (see {@link WorkerObserver}). */
    public List<WorkerObserver> observers() {
        return observers;
    }

    @Override
    public String toString() {
        return "WorkerOptions[batchSize=" + batchSize + ", maxBatchSize=" + maxBatchSize
                + ", maxConcurrentJobs=" + maxConcurrentJobs
                + ", heartbeatTimeout=" + heartbeatTimeout + ", dequeueTimeout=" + dequeueTimeout + ", mode=" + mode
                + ", workerId=" + workerId + ", shutdownTimeout=" + shutdownTimeout
                + ", statisticsInterval=" + statisticsInterval + ", healthCheckInterval=" + healthCheckInterval
                + ", pauseRecheckInterval=" + pauseRecheckInterval
                + ", shutdownHook=" + shutdownHook + ", listen=" + listen + ", pollInterval=" + pollInterval
                + ", startupWait=" + startupWait + ", failureLogging=" + failureLogging + ", interceptors=" + interceptors.size()
                + (entrypointInterceptors.isEmpty() ? "" : ", entrypointInterceptors=" + entrypointInterceptors.keySet())
                + ", observers=" + observers.size() + "]";
    }

    /** Builds {@link WorkerOptions}; every setter validates and names the bad value. */
    public static final class Builder {
        private int batchSize = 10;
        private int maxBatchSize;
        private int maxConcurrentJobs;
        private Duration heartbeatTimeout = Duration.ofSeconds(30);
        private Duration dequeueTimeout = Duration.ofSeconds(30);
        private Mode mode = Mode.CONTINUOUS;
        private UUID workerId;
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private Duration statisticsInterval = Duration.ofSeconds(30);
        private Duration healthCheckInterval = Duration.ofSeconds(10);
        private Duration pauseRecheckInterval = Duration.ofSeconds(30);
        private boolean shutdownHook;
        private boolean listen = true;
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration startupWait = Duration.ZERO;
        private FailureLogging failureLogging = FailureLogging.defaults();
        private final List<JobInterceptor> interceptors = new ArrayList<>();
        private final Map<String, List<JobInterceptor>> entrypointInterceptors = new LinkedHashMap<>();
        private final List<WorkerObserver> observers = new ArrayList<>();

        private Builder() {
        }

        /** False: poll-only mode (no LISTEN; for PgBouncer transaction pooling), see {@link WorkerOptions#listen()}. */
        public Builder listen(boolean enabled) {
            this.listen = enabled;
            return this;
        }

        /** Longest wait between claims when not listening (default 1 s). */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = positive("pollInterval", interval);
            return this;
        }

        /** How long {@code start()} waits for its connections (default zero: fail at once, naming the cause). */
        public Builder startupWait(Duration wait) {
            if (wait == null || wait.isNegative()) {
                throw new WorkerException("startupWait must be zero (fail at once) or more, got " + wait);
            }
            this.startupWait = wait;
            return this;
        }

        /**
         * Adds an interceptor around every handler call, inside those added before (see {@link JobInterceptor});
         * also the place for instrumentation a launcher adds to any worker, such as {@code pgqj run --otel}.
         */
        public Builder interceptor(JobInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /**
         * Adds an interceptor around the handler calls of one entrypoint, inside the worker-wide ones and those
         * of the entrypoint added before. The worker's build fails when it does not register {@code entrypoint}.
         */
        public Builder interceptor(String entrypoint, JobInterceptor interceptor) {
            Objects.requireNonNull(entrypoint, "entrypoint");
            Objects.requireNonNull(interceptor, "interceptor");
            entrypointInterceptors.computeIfAbsent(entrypoint, k -> new ArrayList<>()).add(interceptor);
            return this;
        }

        /** Adds an observer of the worker's claims, writes and listener. */
        public Builder observer(WorkerObserver observer) {
            observers.add(Objects.requireNonNull(observer, "observer"));
            return this;
        }

        /** Jobs per claim statement (at least 1). */
        public Builder batchSize(int size) {
            if (size < 1) {
                throw new WorkerException("batchSize must be at least 1, got " + size);
            }
            this.batchSize = size;
            return this;
        }

        /** Most jobs per claim when the backlog is deep (default 500, or batchSize if larger), see {@link WorkerOptions#maxBatchSize()}. */
        public Builder maxBatchSize(int size) {
            if (size < 1) {
                throw new WorkerException("maxBatchSize must be at least 1, got " + size);
            }
            this.maxBatchSize = size;
            return this;
        }

        /** Most jobs running at once on this worker; 0 = unlimited. */
        public Builder maxConcurrentJobs(int max) {
            if (max < 0) {
                throw new WorkerException("maxConcurrentJobs must be 0 (unlimited) or more, got " + max);
            }
            this.maxConcurrentJobs = max;
            return this;
        }

        /** Stale-heartbeat age for re-claiming picked jobs; this worker heartbeats at a quarter of it. */
        public Builder heartbeatTimeout(Duration timeout) {
            this.heartbeatTimeout = positive("heartbeatTimeout", timeout);
            return this;
        }

        /** Poll interval when no notification arrives. */
        public Builder dequeueTimeout(Duration timeout) {
            this.dequeueTimeout = positive("dequeueTimeout", timeout);
            return this;
        }

        /** Continuous (default) or drain. */
        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** A fixed worker id (default: random). */
        public Builder workerId(UUID id) {
            this.workerId = Objects.requireNonNull(id, "workerId");
            return this;
        }

        /** How long {@code close()} waits for running jobs (zero: do not wait). */
        public Builder shutdownTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative()) {
                throw new WorkerException("shutdownTimeout must be zero or more, got " + timeout);
            }
            this.shutdownTimeout = timeout;
            return this;
        }

        /**
         * How failed jobs are logged (default {@link FailureLogging#defaults()}: WARN for a retry or a hold, ERROR
         * for a final failure, at most 10 lines per entrypoint per 60 s and then a summary); {@link FailureLogging#off()}
         * logs none.
         */
        public Builder failureLogging(FailureLogging logging) {
            this.failureLogging = Objects.requireNonNull(logging, "failureLogging");
            return this;
        }

        /** Statistics aggregation interval; {@link Duration#ZERO} disables it. */
        public Builder statisticsInterval(Duration interval) {
            if (interval == null || interval.isNegative()) {
                throw new WorkerException("statisticsInterval must be zero (off) or more, got " + interval);
            }
            this.statisticsInterval = interval;
            return this;
        }

        /** Listener health-check interval. */
        public Builder healthCheckInterval(Duration interval) {
            this.healthCheckInterval = positive("healthCheckInterval", interval);
            return this;
        }

        /** How often paused entrypoints are re-read without a notification (default 30 s), see {@link WorkerOptions#pauseRecheckInterval()}. */
        public Builder pauseRecheckInterval(Duration interval) {
            this.pauseRecheckInterval = positive("pauseRecheckInterval", interval);
            return this;
        }

        /** Register a JVM shutdown hook that closes the worker gracefully. */
        public Builder shutdownHook(boolean enabled) {
            this.shutdownHook = enabled;
            return this;
        }

        /** The options. */
        public WorkerOptions build() {
            return new WorkerOptions(this);
        }

        private static Duration positive(String name, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new WorkerException(name + " must be a positive duration, got " + d);
            }
            return d;
        }
    }
}
