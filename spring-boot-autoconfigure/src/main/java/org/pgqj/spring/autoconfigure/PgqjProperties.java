package org.pgqj.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.pgqj.schema.Durability;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.FailureLogging;
import org.pgqj.worker.RetryPolicy;
import org.pgqj.worker.WorkerOptions;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.ClassUtils;

/**
 * The {@code pgqj.*} settings. Every field has pgqueuer's default; unset fields keep it.
 *
 * <pre>
 * pgqj.prefix=acme_
 * pgqj.schema.name=jobs
 * pgqj.worker.batch-size=20
 * pgqj.entrypoint-defaults.retry.max-attempts=3
 * pgqj.entrypoints.index_article.concurrency-limit=2
 * </pre>
 */
@ConfigurationProperties(prefix = "pgqj")
public class PgqjProperties {

    /** Table-name prefix of the pgqueuer install (Python's PGQUEUER_PREFIX); empty for none. */
    private String prefix = "";

    /** Where the queue lives when it is not the app's DataSource. */
    private final Datasource datasource = new Datasource();

    /** The queue schema: where it is and whether startup migrates it. */
    private final Schema schema = new Schema();

    /** The auto-configured worker. */
    private final Worker worker = new Worker();

    /** The auto-configured scheduler (@PgqjSchedule methods and ScheduledTask beans). */
    private final Scheduler scheduler = new Scheduler();

    /** The built-in log retention schedule, on the auto-configured scheduler. */
    private final Retention retention = new Retention();

    /** Options of every entrypoint that pgqj.entrypoints.&lt;name&gt; does not override. */
    private final Entrypoint entrypointDefaults = new Entrypoint();

    /** Per-entrypoint overrides, by entrypoint name, e.g. pgqj.entrypoints.index_article.concurrency-limit=2. */
    private final Map<String, Entrypoint> entrypoints = new LinkedHashMap<>();

    /** The web dashboard, mounted when pgqj-web is on the classpath of a servlet web app. */
    private final Web web = new Web();

    /** Micrometer meters (pgqj-metrics) and OpenTelemetry tracing (pgqj-tracing), when on the classpath. */
    private final Metrics metrics = new Metrics();

    private final Tracing tracing = new Tracing();

    private final Controls controls = new Controls();

    public String getPrefix() {
        return prefix;
    }

    public void setPrefix(String prefix) {
        this.prefix = prefix == null ? "" : prefix;
    }

    public Datasource getDatasource() {
        return datasource;
    }

    public Schema getSchema() {
        return schema;
    }

    public Worker getWorker() {
        return worker;
    }

    public Scheduler getScheduler() {
        return scheduler;
    }

    public Retention getRetention() {
        return retention;
    }

    public Entrypoint getEntrypointDefaults() {
        return entrypointDefaults;
    }

    public Map<String, Entrypoint> getEntrypoints() {
        return entrypoints;
    }

    public Web getWeb() {
        return web;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    public Tracing getTracing() {
        return tracing;
    }

    public Controls getControls() {
        return controls;
    }

    /** The options of entrypoint {@code name}: its overrides on top of the defaults. */
    public EntrypointOptions entrypointOptions(String name) {
        EntrypointOptions defaults = entrypointDefaults.applyTo(EntrypointOptions.defaults(), "pgqj.entrypoint-defaults");
        Entrypoint own = entrypoints.get(name);
        return own == null ? defaults : own.applyTo(defaults, "pgqj.entrypoints." + name);
    }

    /** The worker's meters and pgqueuer's database gauges on the app's MeterRegistry (pgqj-metrics). */
    public static class Metrics {

        /** Whether to bind the worker's meters when pgqj-metrics and a MeterRegistry are there. */
        private boolean enabled = true;

        /** Whether to add pgqueuer's gauges pgqueuer_queue_count and pgqueuer_logs_count (read from the database). */
        private boolean databaseGauges = true;

        /** How often the database gauges are read again (one short query on the queue and statistics tables). */
        private Duration refreshInterval = Duration.ofSeconds(15);

        /** The log window of pgqueuer_logs_count (pgqueuer's collect_metrics(last=...), default 5 minutes). */
        private Duration window = Duration.ofMinutes(5);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public boolean isDatabaseGauges() {
            return databaseGauges;
        }

        public void setDatabaseGauges(boolean databaseGauges) {
            this.databaseGauges = databaseGauges;
        }

        public Duration getRefreshInterval() {
            return refreshInterval;
        }

        public void setRefreshInterval(Duration refreshInterval) {
            this.refreshInterval = refreshInterval;
        }

        public Duration getWindow() {
            return window;
        }

        public void setWindow(Duration window) {
            this.window = window;
        }
    }

    /** OpenTelemetry spans for enqueue and handlers, as pgqueuer's adapter writes them (pgqj-tracing). */
    public static class Tracing {

        /** Whether to trace when pgqj-tracing and an OpenTelemetry bean are there. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** The web dashboard (pgqj-web) mounted in the app's servlet container. */
    public static class Web {

        /** Whether to mount the dashboard when pgqj-web is on the classpath. */
        private boolean enabled = true;

        /** The path the dashboard is mounted under, e.g. /pgqj (pages at /pgqj/). */
        private String path = "/pgqj";

        /**
         * Whether requeue and cancel are off. Unset: off unless the dashboard is authenticated, by HTTP Basic
         * (pgqj.web.user and pgqj.web.password, or PGQUEUER_WEB_USER and PGQUEUER_WEB_PASSWORD) or by the app's
         * Spring Security refusing anonymous requests to the path. false: actions on (logged as a WARN when
         * nothing authenticates them); true: never actions.
         */
        private Boolean readOnly;

        /** HTTP Basic user of the dashboard; unset: PGQUEUER_WEB_USER (as pgqueuer's dashboard). */
        private String user;

        /** HTTP Basic password of the dashboard; unset: PGQUEUER_WEB_PASSWORD. */
        private String password;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public Boolean getReadOnly() {
            return readOnly;
        }

        public void setReadOnly(Boolean readOnly) {
            this.readOnly = readOnly;
        }

        public String getUser() {
            return user;
        }

        public void setUser(String user) {
            this.user = user;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        /** The path with one leading slash and none trailing; fails naming the property when it is unusable. */
        public String normalizedPath() {
            String p = path == null ? "" : path.trim();
            while (p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            if (!p.startsWith("/")) {
                p = "/" + p;
            }
            if (p.equals("/") || p.contains("*") || p.contains("?") || p.contains("#") || p.contains(" ")) {
                throw new PgqjStartupException("pgqj.web.path must be a sub-path such as /pgqj (got '" + path + "')");
            }
            return p;
        }
    }

    /** The queue's database, given in any form org.pgqj.connect.ConnectionUrl reads. */
    public static class Datasource {

        /**
         * The queue's database URL: postgresql://, postgres://, postgresql+asyncpg://, postgresql+psycopg://,
         * jdbc:postgresql:// or a libpq keyword/value string, so a Python service's DATABASE_URL works
         * (pgqj.datasource.url=${DATABASE_URL}). Unset: the app's DataSource. When spring.datasource.url is
         * unset too, the app's DataSource is a pool on this URL.
         */
        private String url;

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        /** Whether a non-blank URL is set. */
        public boolean hasUrl() {
            return url != null && !url.isBlank();
        }
    }

    /** The queue schema. */
    public static class Schema {

        /** PostgreSQL schema of the queue tables (Python's PGQUEUER_SCHEMA). */
        private String name = "public";

        /**
         * Migrate the queue schema at startup (its own Flyway location db/pgqueuer and history table
         * &lt;prefix&gt;pgqueuer_schema_history, apart from spring.flyway). When false, startup only verifies
         * that every queue object exists and fails with the list of what is missing.
         */
        private boolean migrate = true;

        /** Durability of the tables a migration creates: durable, balanced or volatile (pgq install --durability). */
        private Durability durability = Durability.DURABLE;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public boolean isMigrate() {
            return migrate;
        }

        public void setMigrate(boolean migrate) {
            this.migrate = migrate;
        }

        public Durability getDurability() {
            return durability;
        }

        public void setDurability(Durability durability) {
            this.durability = durability;
        }
    }

    /** The worker's options (org.pgqj.worker.WorkerOptions). */
    public static class Worker {

        /** Run a worker for the @PgqjHandler methods and JobHandler beans; false for a pod that only enqueues. */
        private boolean enabled = true;

        /** Jobs claimed by one statement when the queue is shallow (and the worker's first claim). */
        private int batchSize = 10;

        /** Most jobs claimed by one statement on a deep backlog (claims double while full); unset: 500. */
        private Integer maxBatchSize;

        /** Most jobs running at once on this worker; 0 = unlimited. */
        private int maxConcurrentJobs = 0;

        /** A picked job whose heartbeat is older than this is claimed again by another worker. */
        private Duration heartbeatTimeout = Duration.ofSeconds(30);

        /** Longest wait between claims without a notification (poll fallback). */
        private Duration dequeueTimeout = Duration.ofSeconds(30);

        /** continuous (until the app stops) or drain (stop once nothing of its entrypoints is left). */
        private WorkerOptions.Mode mode = WorkerOptions.Mode.CONTINUOUS;

        /** A fixed worker id (queue_manager_id); unset: a random one per start. */
        private UUID workerId;

        /**
         * How long shutdown waits for running jobs; unset: spring.lifecycle.timeout-per-shutdown-phase minus a
         * margin of 5 s or a fifth of it, whichever is smaller (25 s of Spring's default 30 s), so the worker's
         * stop (the wait, then writing the last outcomes and closing its connections) ends inside the phase. A
         * value at or above the phase timeout is used as given, with a WARN: Spring stops waiting first and
         * reports the worker's lifecycle bean as timed out while its jobs may still run.
         */
        private Duration shutdownTimeout;

        /** How failed jobs are logged (org.pgqj.worker.FailureLogging). */
        private final FailureLog failureLog = new FailureLog();

        /** How often log rows are folded into statistics; 0 disables it. */
        private Duration statisticsInterval = Duration.ofSeconds(30);

        /** How often the listener proves its connection alive with a health check. */
        private Duration healthCheckInterval = Duration.ofSeconds(10);

        /**
         * LISTEN for notifications (default). false is poll-only mode, for a database behind a transaction pooler
         * (PgBouncer pool_mode=transaction, where LISTEN does not work): no LISTEN connection, a claim at least
         * every poll-interval, and no cancellations of running jobs (they arrive as notifications).
         */
        private boolean listen = true;

        /** Longest wait between claims in poll-only mode, or while the LISTEN connection is down. */
        private Duration pollInterval = Duration.ofSeconds(1);

        /**
         * Also register the worker's own JVM shutdown hook. Spring's context shutdown already stops the
         * worker gracefully, so this stays false unless the context is not closed on exit.
         */
        private boolean shutdownHook = false;

        /**
         * Entrypoints this app's worker starts paused, in code on this worker only (Worker.pause): it claims none of
         * their jobs. To pause for every Java worker, and across restarts, use QueueAdmin.pause or pgqj pause.
         */
        private Set<String> pausedEntrypoints = new LinkedHashSet<>();

        /** How often the worker re-reads the entrypoints paused for every Java worker without a notification. */
        private Duration pauseRecheckInterval = Duration.ofSeconds(30);

        /**
         * The worker options; the shutdown timeout when none is set is {@link #defaultShutdownTimeout} of
         * {@code phaseTimeout}.
         */
        public WorkerOptions toOptions(Duration phaseTimeout) {
            WorkerOptions.Builder b = WorkerOptions.builder()
                    .batchSize(batchSize)
                    .maxConcurrentJobs(maxConcurrentJobs)
                    .heartbeatTimeout(heartbeatTimeout)
                    .dequeueTimeout(dequeueTimeout)
                    .mode(mode)
                    .shutdownTimeout(shutdownTimeout != null ? shutdownTimeout : defaultShutdownTimeout(phaseTimeout))
                    .failureLogging(failureLog.toFailureLogging())
                    .statisticsInterval(statisticsInterval)
                    .healthCheckInterval(healthCheckInterval)
                    .listen(listen)
                    .pollInterval(pollInterval)
                    .pauseRecheckInterval(pauseRecheckInterval)
                    .shutdownHook(shutdownHook);
            if (workerId != null) {
                b.workerId(workerId);
            }
            if (maxBatchSize != null) {
                b.maxBatchSize(maxBatchSize);
            }
            return b.build();
        }

        /**
         * The shutdown timeout of a worker or scheduler whose own is not set: {@code phaseTimeout} minus 5 s or a
         * fifth of it, whichever is smaller, so its stop ends inside Spring's shutdown phase.
         */
        public static Duration defaultShutdownTimeout(Duration phaseTimeout) {
            Duration fifth = phaseTimeout.dividedBy(5);
            Duration margin = fifth.compareTo(SHUTDOWN_MARGIN) < 0 ? fifth : SHUTDOWN_MARGIN;
            return phaseTimeout.minus(margin);
        }

        /** The most {@link #defaultShutdownTimeout} leaves to Spring's phase. */
        private static final Duration SHUTDOWN_MARGIN = Duration.ofSeconds(5);

        public FailureLog getFailureLog() {
            return failureLog;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

        public Integer getMaxBatchSize() {
            return maxBatchSize;
        }

        public void setMaxBatchSize(Integer maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
        }

        public int getMaxConcurrentJobs() {
            return maxConcurrentJobs;
        }

        public void setMaxConcurrentJobs(int maxConcurrentJobs) {
            this.maxConcurrentJobs = maxConcurrentJobs;
        }

        public Duration getHeartbeatTimeout() {
            return heartbeatTimeout;
        }

        public void setHeartbeatTimeout(Duration heartbeatTimeout) {
            this.heartbeatTimeout = heartbeatTimeout;
        }

        public Duration getDequeueTimeout() {
            return dequeueTimeout;
        }

        public void setDequeueTimeout(Duration dequeueTimeout) {
            this.dequeueTimeout = dequeueTimeout;
        }

        public WorkerOptions.Mode getMode() {
            return mode;
        }

        public void setMode(WorkerOptions.Mode mode) {
            this.mode = mode;
        }

        public UUID getWorkerId() {
            return workerId;
        }

        public void setWorkerId(UUID workerId) {
            this.workerId = workerId;
        }

        public Duration getShutdownTimeout() {
            return shutdownTimeout;
        }

        public void setShutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
        }

        public Duration getStatisticsInterval() {
            return statisticsInterval;
        }

        public void setStatisticsInterval(Duration statisticsInterval) {
            this.statisticsInterval = statisticsInterval;
        }

        public Duration getHealthCheckInterval() {
            return healthCheckInterval;
        }

        public void setHealthCheckInterval(Duration healthCheckInterval) {
            this.healthCheckInterval = healthCheckInterval;
        }

        public boolean isListen() {
            return listen;
        }

        public void setListen(boolean listen) {
            this.listen = listen;
        }

        public Duration getPollInterval() {
            return pollInterval;
        }

        public void setPollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
        }

        public boolean isShutdownHook() {
            return shutdownHook;
        }

        public void setShutdownHook(boolean shutdownHook) {
            this.shutdownHook = shutdownHook;
        }

        public Set<String> getPausedEntrypoints() {
            return pausedEntrypoints;
        }

        public void setPausedEntrypoints(Set<String> pausedEntrypoints) {
            this.pausedEntrypoints = pausedEntrypoints;
        }

        public Duration getPauseRecheckInterval() {
            return pauseRecheckInterval;
        }

        public void setPauseRecheckInterval(Duration pauseRecheckInterval) {
            this.pauseRecheckInterval = pauseRecheckInterval;
        }
    }

    /**
     * How the worker logs failed jobs (org.pgqj.worker.FailureLogging): pgqj.worker.failure-log.*. The defaults are
     * written out for the configuration metadata; PgqjWorkerOptionsTest checks they equal FailureLogging.defaults().
     */
    public static class FailureLog {

        /** Log failed jobs (a line each, then a summary past the flood threshold); false logs none. */
        private boolean enabled = true;

        /** Level of the line of a job that is retried or held (status failed, kept for a requeue). */
        private FailureLogging.Level retryLevel = FailureLogging.Level.WARN;

        /** Level of the line of a job that failed for good (logged exception). */
        private FailureLogging.Level finalLevel = FailureLogging.Level.ERROR;

        /** Lines per entrypoint and flood-interval before the rest are counted into one summary line; 0 never summarises. */
        private int floodThreshold = 10;

        /** The interval the flood threshold counts in; the summary follows when it ends. */
        private Duration floodInterval = Duration.ofSeconds(60);

        /** Attach the exception's stack trace to each line. */
        private boolean stackTrace = true;

        /** The worker's FailureLogging. */
        public FailureLogging toFailureLogging() {
            return enabled ? new FailureLogging(retryLevel, finalLevel, floodThreshold, floodInterval, stackTrace)
                    : FailureLogging.off();
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public FailureLogging.Level getRetryLevel() {
            return retryLevel;
        }

        public void setRetryLevel(FailureLogging.Level retryLevel) {
            this.retryLevel = retryLevel;
        }

        public FailureLogging.Level getFinalLevel() {
            return finalLevel;
        }

        public void setFinalLevel(FailureLogging.Level finalLevel) {
            this.finalLevel = finalLevel;
        }

        public int getFloodThreshold() {
            return floodThreshold;
        }

        public void setFloodThreshold(int floodThreshold) {
            this.floodThreshold = floodThreshold;
        }

        public Duration getFloodInterval() {
            return floodInterval;
        }

        public void setFloodInterval(Duration floodInterval) {
            this.floodInterval = floodInterval;
        }

        public boolean isStackTrace() {
            return stackTrace;
        }

        public void setStackTrace(boolean stackTrace) {
            this.stackTrace = stackTrace;
        }
    }

    /** The scheduler's options (org.pgqj.schedule.Scheduler.Builder). */
    public static class Scheduler {

        /** Run the scheduler for @PgqjSchedule methods and ScheduledTask beans. */
        private boolean enabled = true;

        /** Longest time between two polls; also bounds how late an abandoned schedule row is rescued. */
        private Duration maxPollInterval = Duration.ofSeconds(10);

        /**
         * How long shutdown waits for running schedule tasks; unset: spring.lifecycle.timeout-per-shutdown-phase
         * minus 5 s or a fifth of it, whichever is smaller (as pgqj.worker.shutdown-timeout).
         */
        private Duration shutdownTimeout;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getMaxPollInterval() {
            return maxPollInterval;
        }

        public void setMaxPollInterval(Duration maxPollInterval) {
            this.maxPollInterval = maxPollInterval;
        }

        public Duration getShutdownTimeout() {
            return shutdownTimeout;
        }

        public void setShutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
        }
    }

    /**
     * The built-in retention schedule (org.pgqj.admin.LogRetention): deletes counted log rows (and
     * statistics rows) older than an age; one scheduler of the whole fleet runs each tick.
     */
    public static class Retention {

        /** Delete log rows older than this, e.g. 7d; unset: no retention schedule. */
        private Duration olderThan;

        /** Delete statistics rows older than pgqj.retention.older-than too. */
        private boolean statistics = false;

        /** When the schedule runs (cron, 5 or 6 fields as pgqueuer reads them); default hourly at minute 17. */
        private String cron = org.pgqj.admin.LogRetention.DEFAULT_CRON;

        public Duration getOlderThan() {
            return olderThan;
        }

        public void setOlderThan(Duration olderThan) {
            this.olderThan = olderThan;
        }

        public boolean isStatistics() {
            return statistics;
        }

        public void setStatistics(boolean statistics) {
            this.statistics = statistics;
        }

        public String getCron() {
            return cron;
        }

        public void setCron(String cron) {
            this.cron = cron;
        }
    }

    /**
     * One entrypoint's options (org.pgqj.worker.EntrypointOptions). Unset fields keep the value they
     * override: pgqj.entrypoint-defaults for a named entrypoint, pgqueuer's default for the defaults.
     */
    public static class Entrypoint {

        /** Jobs of this entrypoint in flight across all workers; 0 = unlimited. Workers sharing it must agree. */
        private Integer concurrencyLimit;

        /** Claims per second on this worker (token bucket); 0 = unlimited. */
        private Double requestsPerSecond;

        /** Age of a stopped heartbeat after which a picked job is claimed again; unset: the worker's heartbeat timeout. */
        private Duration retryTimer;

        /** At most one job of this entrypoint runs at a time across all workers. */
        private Boolean serializedDispatch;

        /** What a failed job leaves: delete (logged exception, pgqueuer's default) or hold (row kept as failed). */
        private EntrypointOptions.OnFailure onFailure;

        /** Retries when the handler throws (pgqueuer's database retry executor). */
        private final Retry retry = new Retry();

        /**
         * The longest one run of a job may take; at the deadline it is cancelled, interrupted and fails (retried per
         * retry.*, else held or deleted per on-failure). Unset: no limit.
         */
        private Duration timeout;

        /** {@code base} with what this sets; {@code prefix} names these properties in an error. */
        EntrypointOptions applyTo(EntrypointOptions base, String prefix) {
            EntrypointOptions.Builder b = base.toBuilder();
            if (concurrencyLimit != null) {
                b.concurrencyLimit(concurrencyLimit);
            }
            if (requestsPerSecond != null) {
                b.requestsPerSecond(requestsPerSecond);
            }
            if (retryTimer != null) {
                b.retryTimer(retryTimer);
            }
            if (serializedDispatch != null) {
                b.serializedDispatch(serializedDispatch);
            }
            if (onFailure != null) {
                b.onFailure(onFailure);
            }
            if (timeout != null) {
                b.timeout(timeout);
            }
            if (retry.isSet()) {
                RetryPolicy p = base.retryPolicy();
                // a policy that never retried starts from pgqueuer's backoff values when only some are given
                RetryPolicy from = p.maxAttempts() == 0 ? RetryPolicy.exponentialBackoff() : p;
                b.retryPolicy(new RetryPolicy(
                        retry.initialDelay != null ? retry.initialDelay : from.initialDelay(),
                        retry.multiplier != null ? retry.multiplier : from.multiplier(),
                        retry.maxDelay != null ? retry.maxDelay : from.maxDelay(),
                        retry.maxAttempts != null ? retry.maxAttempts : from.maxAttempts(),
                        p.noRetryFor(), p.retryOn()));
            }
            if (!retry.noRetryFor.isEmpty()) {
                b.retryPolicy(b.build().retryPolicy().noRetryFor(retry.noRetryForClasses(prefix + ".retry.no-retry-for")));
            }
            return b.build();
        }

        public Integer getConcurrencyLimit() {
            return concurrencyLimit;
        }

        public void setConcurrencyLimit(Integer concurrencyLimit) {
            this.concurrencyLimit = concurrencyLimit;
        }

        public Double getRequestsPerSecond() {
            return requestsPerSecond;
        }

        public void setRequestsPerSecond(Double requestsPerSecond) {
            this.requestsPerSecond = requestsPerSecond;
        }

        public Duration getRetryTimer() {
            return retryTimer;
        }

        public void setRetryTimer(Duration retryTimer) {
            this.retryTimer = retryTimer;
        }

        public Boolean getSerializedDispatch() {
            return serializedDispatch;
        }

        public void setSerializedDispatch(Boolean serializedDispatch) {
            this.serializedDispatch = serializedDispatch;
        }

        public EntrypointOptions.OnFailure getOnFailure() {
            return onFailure;
        }

        public void setOnFailure(EntrypointOptions.OnFailure onFailure) {
            this.onFailure = onFailure;
        }

        public Retry getRetry() {
            return retry;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /**
     * Exponential-backoff retries (org.pgqj.worker.RetryPolicy); max-attempts 0 never retries. no-retry-for lists
     * exceptions never retried.
     */
    public static class Retry {

        /** Retries before the job ends as exception (or failed when held); 0 = never retry. */
        private Integer maxAttempts;

        /** Delay before the first retry. */
        private Duration initialDelay;

        /** Growth of the delay per attempt (at least 1). */
        private Double multiplier;

        /** Cap on the delay. */
        private Duration maxDelay;

        /**
         * Fully qualified names of exceptions (and their subtypes) never retried, whatever attempts are left
         * (RetryPolicy.noRetryFor); an entrypoint's list adds to pgqj.entrypoint-defaults'. A name that is not a
         * Throwable on the class path fails the startup.
         */
        private List<String> noRetryFor = new ArrayList<>();

        boolean isSet() {
            return maxAttempts != null || initialDelay != null || multiplier != null || maxDelay != null;
        }

        /** {@link #noRetryFor} as classes; {@code property} names the property in the error. */
        @SuppressWarnings("unchecked")
        Class<? extends Throwable>[] noRetryForClasses(String property) {
            List<Class<? extends Throwable>> types = new ArrayList<>();
            for (String name : noRetryFor) {
                Class<?> type;
                try {
                    type = ClassUtils.forName(name.strip(), null);
                } catch (ClassNotFoundException | LinkageError | IllegalArgumentException e) {
                    throw new PgqjStartupException(property + " names '" + name + "', which is not a class on the class "
                            + "path; give the fully qualified name of an exception, e.g. java.lang.IllegalArgumentException", e);
                }
                if (!Throwable.class.isAssignableFrom(type)) {
                    throw new PgqjStartupException(property + " names '" + name + "', which is not an exception (a "
                            + "Throwable); give the fully qualified name of an exception class");
                }
                types.add((Class<? extends Throwable>) type);
            }
            return types.toArray(Class[]::new);
        }

        public List<String> getNoRetryFor() {
            return noRetryFor;
        }

        public void setNoRetryFor(List<String> noRetryFor) {
            this.noRetryFor = noRetryFor == null ? new ArrayList<>() : new ArrayList<>(noRetryFor);
        }

        public Integer getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getInitialDelay() {
            return initialDelay;
        }

        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        public Double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(Double multiplier) {
            this.multiplier = multiplier;
        }

        public Duration getMaxDelay() {
            return maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
        }
    }

    /**
     * pgqj's own control tables (pause and resume: org.pgqj.schema.ControlsSchema), beside pgqueuer's catalog:
     * pgqj.controls.*.
     */
    public static class Controls {

        /**
         * Install (or upgrade) pgqj's control tables at startup, after the queue schema: needs a role that may create
         * tables. Off by default: an explicit install step (pgqj install --controls) keeps DDL out of app startups.
         */
        private boolean install = false;

        public boolean isInstall() {
            return install;
        }

        public void setInstall(boolean install) {
            this.install = install;
        }
    }
}
