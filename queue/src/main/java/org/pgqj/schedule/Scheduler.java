package org.pgqj.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.pgqj.admin.LogRetention;
import org.pgqj.core.PgqjException;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.lifecycle.Lifecycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs functions on cron schedules, sharing {@code pgqueuer_schedules} with Python's
 * {@code SchedulerManager}: any number of Java and Python schedulers may register the same
 * {@code (expression, entrypoint)}, and each tick runs once among them.
 *
 * <pre>{@code
 * try (Scheduler scheduler = Scheduler.builder(dataSource, QueueTables.defaults())
 *         .schedule("0 3 * * *", "cleanup", ctx -> cleanup())
 *         .build()) {
 *     scheduler.start();
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link #start()} inserts the registrations ({@code ON CONFLICT DO NOTHING}), then a virtual thread
 * claims due rows shortly after each fire time (and at least every {@link SchedulerOptions#maxPollInterval()}, which also
 * rescues rows whose runner stopped heartbeating 30 s ago). Each claimed tick runs on its own virtual
 * thread; its row is heartbeated every second, then set {@code queued} with {@code last_run}. Fire times
 * are computed in UTC. {@link #close()} stops claiming and waits up to {@link SchedulerOptions#shutdownTimeout()} for running
 * tasks, then interrupts them; their rows are released either way.
 */
public final class Scheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

    /** pgqueuer heartbeats a running schedule every second. */
    private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /** Polls happen this long after a whole second (fire times are whole seconds), see {@link #nextWake}. */
    private static final Duration LEEWAY = Duration.ofMillis(100);
    /**
     * next_run is date_trunc(now() + delay) with the delay computed just before the statement, as pgqueuer
     * does; the truncation absorbs less than a second between the two, a slower claim moves next_run a
     * second late (and a per-second schedule skips that tick). Worth a warning.
     */
    private static final Duration SLOW_CLAIM = Duration.ofSeconds(1);

    private final DSLContext dsl;
    private final List<ScheduleRegistration> registrations;
    private final Map<Key, ScheduleRegistration> byKey;
    private final SchedulerOptions options;

    private final Lifecycle lifecycle = new Lifecycle();
    /** Ids of the schedule rows whose task runs now: added by the poll thread, removed by the task's thread, read by the heartbeat thread. */
    private final Set<Long> running = ConcurrentHashMap.newKeySet();
    /** One virtual thread per task; terminated once close() has let the running tasks end. */
    private final ExecutorService tasks = Executors.newVirtualThreadPerTaskExecutor();
    /** Written by start(), read by close() (the lifecycle orders the two). */
    private Thread poller;
    private Thread heartbeat;

    private record Key(String entrypoint, String expression) {}

    private Scheduler(Builder b) {
        this.dsl = b.tables.dsl(b.dataSource);
        this.registrations = List.copyOf(b.registrations.values());
        this.byKey = Map.copyOf(b.registrations);
        this.options = b.options;
    }

    /** A builder for the install {@code tables} in {@code dataSource} (each statement auto-commits). */
    public static Builder builder(DataSource dataSource, QueueTables tables) {
        return new Builder(dataSource, tables);
    }

    /** The options. */
    public SchedulerOptions options() {
        return options;
    }

    /**
     * Registers the schedules in the database and starts claiming in the background. Returns once the
     * registrations are written; throws (and is closed) if that fails.
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        lifecycle.start(this::register, state -> new IllegalStateException("Scheduler already "
                + (state == Lifecycle.State.CLOSED ? "closed" : "running") + "; build a new one to start again"));
    }

    private void register() {
        try {
            int inserted = dsl.connectionResult(c ->
                    ScheduleStatements.register(dsl.configuration().derive(c).dsl(), registrations, Instant.now()));
            LOG.info("Scheduler started: {} schedules ({} new rows): {}", registrations.size(), inserted,
                    registrations.stream().map(r -> r.entrypoint() + " '" + r.expression() + "'").toList());
        } catch (RuntimeException e) {
            tasks.shutdown();
            throw new PgqjException("Could not register schedules in pgqueuer_schedules; is the schema installed?", e);
        }
        poller = Thread.ofVirtual().name("pgqj-scheduler-poll").start(this::pollLoop);
        heartbeat = Thread.ofVirtual().name("pgqj-scheduler-heartbeat").start(this::heartbeatLoop);
    }

    /** Starts (if not yet started) and blocks until {@link #close()} is called from another thread. */
    public void run() throws InterruptedException {
        lifecycle.startIfNew(this::register);
        lifecycle.awaitClosed();
    }

    /**
     * Stops claiming, waits for running tasks (up to the shutdown timeout), releases their rows. Idempotent: a
     * close while another is under way returns when that one is done.
     */
    @Override
    public void close() {
        if (!lifecycle.close(this::stop)) {
            tasks.shutdown(); // not running: no task was or will be started on it
        }
    }

    private void stop() {
        Duration timeout = options.shutdownTimeout();
        try {
            poller.join();
            tasks.shutdown();
            if (!tasks.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Scheduled tasks still running after {}; interrupting {} of them", timeout, running.size());
                tasks.shutdownNow();
                tasks.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            heartbeat.join();
        } catch (InterruptedException e) {
            tasks.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            LOG.info("Scheduler stopped");
        }
    }

    private void pollLoop() {
        try {
            // The first poll too happens just after a whole second (see nextWake).
            Instant now = Instant.now();
            Instant first = now.truncatedTo(ChronoUnit.SECONDS).plus(LEEWAY);
            if (first.isBefore(now)) {
                first = first.plusSeconds(1);
            }
            if (lifecycle.awaitStopping(Duration.between(now, first))) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        while (!lifecycle.isStopping()) {
            try {
                // "now" is read once the connection is open: pgqueuer adds (next fire time - now) to the
                // database's now(), so any time spent in between would push next_run late.
                List<ScheduleStatements.Claimed> claims = dsl.connectionResult(c -> {
                    Instant now = Instant.now();
                    List<ScheduleStatements.Claimed> claimed = ScheduleStatements.claim(dsl.configuration().derive(c).dsl(), registrations, now);
                    Duration took = Duration.between(now, Instant.now());
                    if (!claimed.isEmpty() && took.compareTo(SLOW_CLAIM) > 0) {
                        LOG.warn("Claiming schedules took {} ms; their next_run (now() + delay, as pgqueuer computes it) may be a second late",
                                took.toMillis());
                    }
                    return claimed;
                });
                for (ScheduleStatements.Claimed claimed : claims) {
                    dispatch(claimed);
                }
            } catch (RuntimeException e) {
                // A database outage must not end the scheduler; the next poll tries again.
                LOG.warn("Claiming due schedules failed; retrying at the next poll", e);
            }
            Duration wait = Duration.between(Instant.now(), nextWake(Instant.now()));
            try {
                if (!wait.isNegative() && lifecycle.awaitStopping(wait)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * The next poll: just after the earliest fire time of the registrations, and at least every
     * {@link SchedulerOptions#maxPollInterval()}, always {@link #LEEWAY} after a whole second of the JVM clock. Fire times are
     * whole seconds, so a poll never computes the next fire time a few milliseconds before the database
     * clock reaches the current one (which would set {@code next_run} back to the tick just run).
     */
    Instant nextWake(Instant now) {
        Instant wake = now.plus(options.maxPollInterval());
        for (ScheduleRegistration r : registrations) {
            Instant next = r.cron().nextAfter(now).orElse(wake);
            if (next.isBefore(wake)) {
                wake = next;
            }
        }
        Instant second = wake.truncatedTo(ChronoUnit.SECONDS);
        if (second.isBefore(wake)) {
            second = second.plusSeconds(1);
        }
        return second.plus(LEEWAY);
    }

    private void dispatch(ScheduleStatements.Claimed claimed) {
        ScheduleRegistration registration = byKey.get(new Key(claimed.entrypoint(), claimed.expression()));
        ScheduleContext context = new ScheduleContext(claimed.id(), claimed.expression(), claimed.entrypoint(),
                claimed.due(), claimed.lastRun());
        running.add(claimed.id());
        try {
            tasks.execute(() -> runTask(registration, context));
        } catch (RuntimeException e) {
            // Rejected because close() began; hand the row back instead of leaving it picked.
            running.remove(claimed.id());
            release(context);
        }
    }

    private void runTask(ScheduleRegistration registration, ScheduleContext context) {
        LOG.debug("Running schedule {} '{}' for {}", context.entrypoint(), context.expression(), context.scheduledAt());
        try {
            registration.task().run(context);
        } catch (InterruptedException e) {
            LOG.warn("Scheduled task {} '{}' (tick {}) was interrupted by close()",
                    context.entrypoint(), context.expression(), context.scheduledAt());
        } catch (Exception | LinkageError | AssertionError e) {
            LOG.error("Scheduled task failed: entrypoint {} expression '{}' (tick {}); the schedule keeps running",
                    context.entrypoint(), context.expression(), context.scheduledAt(), e);
        } finally {
            running.remove(context.scheduleId());
            // A task interrupted by close() must still hand its row back; blocking I/O on an interrupted
            // thread would fail, so the flag is set aside for the release.
            boolean interrupted = Thread.interrupted();
            release(context);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void release(ScheduleContext context) {
        try {
            ScheduleStatements.release(dsl, context.scheduleId());
        } catch (RuntimeException e) {
            LOG.warn("Could not set schedule {} ({} '{}') back to queued; another scheduler rescues it after {}",
                    context.scheduleId(), context.entrypoint(), context.expression(), ScheduleStatements.STALE_AFTER, e);
        }
    }

    private void heartbeatLoop() {
        try {
            // until close() has let the running tasks end: the executor terminates then
            while (!tasks.awaitTermination(HEARTBEAT_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
                List<Long> ids = new ArrayList<>(running);
                if (ids.isEmpty()) {
                    continue;
                }
                try {
                    ScheduleStatements.heartbeat(dsl, ids);
                } catch (RuntimeException e) {
                    LOG.warn("Heartbeat for schedules {} failed; retrying in {}", ids, HEARTBEAT_INTERVAL, e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Collects schedules and options; {@link #build()} makes an unstarted {@link Scheduler}. */
    public static final class Builder {

        private final DataSource dataSource;
        private final QueueTables tables;
        private final Map<Key, ScheduleRegistration> registrations = new LinkedHashMap<>();
        private SchedulerOptions options = SchedulerOptions.defaults();

        private Builder(DataSource dataSource, QueueTables tables) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            this.tables = Objects.requireNonNull(tables, "tables");
        }

        /**
         * Runs {@code task} on {@code expression} under {@code entrypoint}. The expression is stored as
         * croniter prints it ({@link CronExpressions#normalize}), so Python's {@code
         * @scheduler.schedule(entrypoint, expression)} of the same schedule shares the row.
         *
         * @throws InvalidCronExpressionException if the expression is invalid (nothing is written)
         * @throws IllegalArgumentException if the entrypoint is blank or the pair is already registered here
         */
        public Builder schedule(String expression, String entrypoint, ScheduledTask task) {
            Objects.requireNonNull(entrypoint, "entrypoint");
            Objects.requireNonNull(task, "task");
            if (entrypoint.isBlank()) {
                throw new IllegalArgumentException("Schedule entrypoint must not be blank (expression '" + expression + "')");
            }
            CronSchedule cron = CronExpressions.parse(expression);
            Key key = new Key(entrypoint, cron.normalized());
            if (registrations.containsKey(key)) {
                throw new IllegalArgumentException("Schedule (" + entrypoint + ", '" + cron.normalized()
                        + "') is already registered; each (entrypoint, expression) pair must be unique");
            }
            registrations.put(key, new ScheduleRegistration(cron, entrypoint, task));
            return this;
        }

        /**
         * Adds the built-in log retention schedule, {@link LogRetention#ENTRYPOINT} on {@code cron}
         * ({@link LogRetention#DEFAULT_CRON}: hourly at minute 17): each tick deletes counted log rows (and, with
         * {@code statistics}, statistics rows) older than {@code olderThan}, in {@link LogRetention}'s batches, and
         * logs one line.
         *
         * @throws IllegalArgumentException       when {@code olderThan} is zero or negative (a schedule that deletes
         *                                        every counted log row at every tick is a mistake, not a retention)
         * @throws InvalidCronExpressionException if the expression is invalid
         */
        public Builder retention(String cron, Duration olderThan, boolean statistics) {
            Objects.requireNonNull(olderThan, "olderThan");
            if (!olderThan.isPositive()) {
                throw new IllegalArgumentException("the retention schedule's age must be positive (got " + olderThan
                        + "); pass how old a row must be to go, e.g. Duration.ofDays(7)");
            }
            LogRetention retention = LogRetention.create(tables);
            return schedule(cron, LogRetention.ENTRYPOINT, context -> {
                long log = retention.pruneLog(dataSource, olderThan).rowsDeleted();
                if (statistics) {
                    long stats = retention.pruneStatistics(dataSource, olderThan).rowsDeleted();
                    LOG.info("Retention tick {}: pruned {} log and {} statistics rows older than {}",
                            context.scheduledAt(), log, stats, olderThan);
                } else {
                    LOG.info("Retention tick {}: pruned {} log rows older than {}", context.scheduledAt(), log, olderThan);
                }
            });
        }

        /** Scheduler options (default {@link SchedulerOptions#defaults()}). */
        public Builder options(SchedulerOptions schedulerOptions) {
            this.options = Objects.requireNonNull(schedulerOptions, "options");
            return this;
        }

        /** An unstarted scheduler. */
        public Scheduler build() {
            if (registrations.isEmpty()) {
                throw new IllegalStateException("No schedules registered; call schedule(expression, entrypoint, task) first");
            }
            return new Scheduler(this);
        }
    }
}
