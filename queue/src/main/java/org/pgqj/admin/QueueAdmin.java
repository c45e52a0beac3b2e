package org.pgqj.admin;

import static org.jooq.impl.DSL.any;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.val;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;
import static org.pgqj.codegen.Tables.PGQUEUER_STATISTICS;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.jooq.CommonTableExpression;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.jooq.types.DayToSecond;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.Job;
import org.pgqj.core.JobStatus;
import org.pgqj.core.PgqjException;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.controls.PauseTable;
import org.pgqj.internal.listen.ChannelSubscription;
import org.pgqj.internal.notify.NotifyPayloads;
import org.pgqj.internal.queue.RetryQuery;
import org.pgqj.internal.sql.Cte;
import org.pgqj.internal.sql.JobRows;
import org.pgqj.internal.sql.Statuses;
import org.pgqj.notify.CancellationEvent;
import org.pgqj.schema.PgqueuerNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What pgqueuer's {@code Queries} offers beyond enqueue: sizes, statuses, held jobs, requeue, cancel,
 * clear, statistics, and waiting for jobs to finish.
 *
 * <p>Every method but {@link #waitForCompletion} takes the caller's {@link DSLContext} and runs in its
 * transaction; writes (requeue, cancel, clear) take effect when the caller commits, and the cancel
 * NOTIFY is delivered then too. Immutable and thread-safe.
 */
public final class QueueAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(QueueAdmin.class);
    private static final Duration DEFAULT_POLL = Duration.ofSeconds(1);

    /** The heartbeat timeout {@link #create} assumes: the worker's default ({@code WorkerOptions}), as pgqueuer's. */
    public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(30);

    private final QueueTables tables;
    private final Duration heartbeatTimeout;

    private QueueAdmin(QueueTables tables, Duration heartbeatTimeout) {
        this.tables = Objects.requireNonNull(tables, "tables");
        this.heartbeatTimeout = heartbeatTimeout;
    }

    /** The admin API for this install, for workers with the default heartbeat timeout (30 s). */
    public static QueueAdmin create(QueueTables tables) {
        return new QueueAdmin(tables, DEFAULT_HEARTBEAT_TIMEOUT);
    }

    /**
     * The same admin API for workers whose heartbeat timeout is {@code timeout} (their
     * {@code WorkerOptions.heartbeatTimeout()}): {@link #cancel} counts a picked job's worker as alive while its
     * heartbeat is younger than that, and leaves the row to it.
     *
     * @throws IllegalArgumentException when {@code timeout} is not positive
     */
    public QueueAdmin heartbeatTimeout(Duration timeout) {
        requirePositive(timeout, "heartbeatTimeout");
        return new QueueAdmin(tables, timeout);
    }

    /** The heartbeat timeout {@link #cancel} counts a running job's worker alive within. */
    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    /** Job counts in the queue table per entrypoint, priority and status (pgqueuer's {@code queue_size}). */
    public List<QueueSize> queueSize(DSLContext dsl) {
        Field<Integer> n = count();
        return q(dsl).select(PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY, PGQUEUER.STATUS, n)
                .from(PGQUEUER)
                .groupBy(PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY, PGQUEUER.STATUS)
                .orderBy(PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY, PGQUEUER.STATUS)
                .fetch(r -> new QueueSize(r.value1(), r.value2(), Statuses.toJobStatus(r.value3()), r.value4()));
    }

    /**
     * The latest status of each job, from its newest log row. Ids with no log row are absent.
     *
     * @return id to status, in ascending id order
     */
    public Map<Long, JobStatus> jobStatuses(DSLContext dsl, Collection<Long> ids) {
        Long[] array = ids(ids);
        Map<Long, JobStatus> statuses = new LinkedHashMap<>();
        if (array.length == 0) {
            return statuses;
        }
        q(dsl).select(PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS)
                .distinctOn(PGQUEUER_LOG.JOB_ID)
                .from(PGQUEUER_LOG)
                .where(PGQUEUER_LOG.JOB_ID.eq(any(val(array, SQLDataType.BIGINT.array()))))
                .orderBy(PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.CREATED.desc(), PGQUEUER_LOG.ID.desc())
                .forEach(r -> statuses.put(r.value1(), Statuses.toJobStatus(r.value2())));
        return statuses;
    }

    /** Held jobs (status {@code failed}, entrypoint option on-failure = hold), oldest first. */
    public List<Job> failedJobs(DSLContext dsl, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1 (got " + limit + ")");
        }
        return q(dsl).selectFrom(PGQUEUER)
                .where(PGQUEUER.STATUS.eq(Statuses.literal(PgqueuerStatus.failed)))
                .orderBy(PGQUEUER.CREATED, PGQUEUER.ID)
                .limit(limit)
                .fetch(JobRows::read);
    }

    /**
     * Puts held {@code failed} jobs back in the queue ({@code pgq requeue}): status queued, attempts 0,
     * runnable now, logged {@code queued}, and a {@code table_changed_event} (operation {@code update}) NOTIFY
     * so idle workers pick them up at once (pgqueuer 2.0). Ids that are not held jobs are ignored.
     *
     * @return the ids requeued
     */
    public List<Long> requeue(DSLContext dsl, Collection<Long> ids) {
        Long[] array = ids(ids);
        if (array.length == 0) {
            return List.of();
        }
        DSLContext q = q(dsl);
        CommonTableExpression<?> requeued = name("pgqj_requeued").as(q.update(PGQUEUER)
                .set(PGQUEUER.STATUS, Statuses.literal(PgqueuerStatus.queued))
                .set(PGQUEUER.EXECUTE_AFTER, currentOffsetDateTime())
                .set(PGQUEUER.UPDATED, currentOffsetDateTime())
                .set(PGQUEUER.ATTEMPTS, 0)
                .setNull(PGQUEUER.QUEUE_MANAGER_ID)
                .where(PGQUEUER.ID.eq(any(val(array, SQLDataType.BIGINT.array())))
                        .and(PGQUEUER.STATUS.eq(Statuses.literal(PgqueuerStatus.failed))))
                .returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY));
        List<Long> done = logFrom(q, requeued, PgqueuerStatus.queued);
        if (!done.isEmpty()) {
            // pgqueuer 2.0: the trigger is silent on UPDATE, so say it ourselves; idle workers wake at commit
            RetryQuery.notifyUpdate(q, tables);
            LOG.info("Requeued {} held jobs: {}", done.size(), abbreviated(done));
        }
        return done;
    }

    /**
     * Cancels jobs and sends a {@code cancellation_event} NOTIFY with the ids, so the worker running one
     * stops it (delivered when the caller commits). As in pgqueuer 2.0, a {@code picked} job with a live
     * worker (heartbeat within {@link #heartbeatTimeout()}) keeps its row, and so its concurrency slot and
     * dedupe key, until that worker records the outcome: it deletes the row and logs {@code canceled} once
     * the handler has stopped. Every other requested job (queued, held, or picked with a stale heartbeat,
     * whose worker is gone) is deleted and logged {@code canceled} at once.
     *
     * <p>Any number of ids: the event is sent as several cancellations when one would exceed PostgreSQL's
     * 8000-byte NOTIFY payload limit, each naming a run of the ids (Java and Python workers read each alone).
     *
     * @return the ids canceled: deleted now, or left to their running worker (a finished job is not in
     *         the queue any more and is not among them)
     */
    public List<Long> cancel(DSLContext dsl, Collection<Long> ids) {
        Long[] array = ids(ids);
        if (array.length == 0) {
            return List.of();
        }
        DSLContext q = q(dsl);
        Condition requested = PGQUEUER.ID.eq(any(val(array, SQLDataType.BIGINT.array())));
        Condition running = PGQUEUER.STATUS.eq(Statuses.literal(PgqueuerStatus.picked))
                .and(PGQUEUER.HEARTBEAT.ge(currentOffsetDateTime().minus(val(DayToSecond.valueOf(heartbeatTimeout)))));
        // locked, so the worker's completion and this cancel of the same row serialise
        List<Long> leftToWorker = q.select(PGQUEUER.ID).from(PGQUEUER).where(requested, running).forUpdate()
                .fetch(r -> r.value1());
        List<Long> deleted = deleteAndLog(q, requested.andNot(running), PgqueuerStatus.canceled);
        // like pgqueuer, the event names every requested id; a worker ignores ids it is not running
        Instant now = Instant.now(); // pgqueuer sends its creation time as both sent_at and received_at
        NotifyPayloads.send(q, new CancellationEvent(tables.channel(), now, now, List.of(array)));
        List<Long> canceled = new ArrayList<>(deleted);
        canceled.addAll(leftToWorker);
        LOG.info("Canceled {} of {} requested jobs: deleted {}, running ones left to their workers {}",
                canceled.size(), array.length, abbreviated(deleted), abbreviated(leftToWorker));
        return canceled;
    }

    /** Up to 20 ids, then how many more: a cancel of thousands stays one readable log line. */
    private static String abbreviated(List<Long> ids) {
        return ids.size() <= 20 ? ids.toString()
                : ids.subList(0, 20).toString().replace("]", ", ... " + (ids.size() - 20) + " more]");
    }

    /**
     * Removes the queued, picked and held jobs of these entrypoints, logging each as {@code deleted}.
     *
     * @return how many jobs were removed
     */
    public int clear(DSLContext dsl, Collection<String> entrypoints) {
        Objects.requireNonNull(entrypoints, "entrypoints");
        if (entrypoints.stream().anyMatch(e -> e == null || e.isBlank())) {
            throw new IllegalArgumentException("entrypoints must not contain null or blank names: " + entrypoints
                    + "; use clearAll to empty the whole queue");
        }
        if (entrypoints.isEmpty()) {
            return 0;
        }
        String[] array = entrypoints.toArray(String[]::new);
        int n = deleteAndLog(q(dsl), PGQUEUER.ENTRYPOINT.eq(any(val(array, SQLDataType.CLOB.array()))),
                PgqueuerStatus.deleted).size();
        LOG.info("Cleared {} jobs of entrypoints {}", n, entrypoints);
        return n;
    }

    /**
     * Removes every job from the queue, logging each as {@code deleted}. (pgqueuer's clear-all truncates
     * without log rows; deleting keeps the log complete so waiters see a terminal status.)
     *
     * @return how many jobs were removed
     */
    public int clearAll(DSLContext dsl) {
        int n = deleteAndLog(q(dsl), DSL.trueCondition(), PgqueuerStatus.deleted).size();
        LOG.info("Cleared all {} jobs", n);
        return n;
    }

    /** Jobs per transaction of {@link #requeueHeld} and {@link #cancelHeld}. */
    public static final int BULK_BATCH = 500;

    /**
     * Requeues every held job that {@code filter} matches ({@link #requeue} on each), in batches of
     * {@link #BULK_BATCH}, each batch its own transaction on a connection of {@code dataSource}.
     *
     * <p>Only jobs held when the call starts (at or before the database's {@code now()} then, and before
     * {@link HeldJobFilter#heldBefore()} when given) are touched: a job requeued here that fails and is held again
     * while the batches run is not requeued a second time. Each batch locks its rows with
     * {@code FOR UPDATE SKIP LOCKED}, so two operators running this at once split the jobs between them, and a row
     * another transaction holds is left to it. Committed batches stay committed when a later one fails.
     *
     * @throws PgqjException when the database fails (naming how many jobs were requeued until then)
     */
    public BulkResult requeueHeld(DataSource dataSource, HeldJobFilter filter) {
        return bulk(dataSource, filter, "requeue", this::requeue);
    }

    /**
     * Cancels every held job that {@code filter} matches ({@link #cancel} on each batch, so each batch sends its
     * {@code cancellation_event}), batched and bounded in time as {@link #requeueHeld}.
     *
     * @throws PgqjException when the database fails (naming how many jobs were canceled until then)
     */
    public BulkResult cancelHeld(DataSource dataSource, HeldJobFilter filter) {
        return bulk(dataSource, filter, "cancel", this::cancel);
    }

    private interface BatchAction {
        List<Long> run(DSLContext dsl, Collection<Long> ids);
    }

    private BulkResult bulk(DataSource dataSource, HeldJobFilter filter, String what, BatchAction action) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(filter, "filter");
        long started = System.nanoTime();
        long done = 0;
        int batches = 0;
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                DSLContext q = tables.dsl(DSL.using(c, SQLDialect.POSTGRES));
                OffsetDateTime now = q.select(currentOffsetDateTime()).fetchSingle().value1();
                c.commit();
                Condition which = PGQUEUER.STATUS.eq(Statuses.literal(PgqueuerStatus.failed))
                        .and(PGQUEUER.UPDATED.le(filter.heldBefore().map(t -> t.atOffset(ZoneOffset.UTC))
                                .filter(t -> t.isBefore(now)).orElse(now)));
                if (filter.entrypoint().isPresent()) {
                    which = which.and(PGQUEUER.ENTRYPOINT.eq(filter.entrypoint().get()));
                }
                if (filter.heldAfter().isPresent()) {
                    which = which.and(PGQUEUER.UPDATED.gt(filter.heldAfter().get().atOffset(ZoneOffset.UTC)));
                }
                if (filter.exceptionType().isPresent()) {
                    which = which.and(HeldFailures.exceptionTypeOf(PGQUEUER.ID).eq(filter.exceptionType().get()));
                }
                long after = 0;
                while (true) {
                    // keyset on the id, so each batch starts past the last one (rows skipped as locked stay skipped)
                    List<Long> ids = q.select(PGQUEUER.ID).from(PGQUEUER).where(which.and(PGQUEUER.ID.gt(after)))
                            .orderBy(PGQUEUER.ID).limit(BULK_BATCH).forUpdate().skipLocked()
                            .fetch(r -> r.value1());
                    if (ids.isEmpty()) {
                        c.commit();
                        break;
                    }
                    done += action.run(q, ids).size();
                    c.commit();
                    batches++;
                    after = ids.get(ids.size() - 1);
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback(); // the failed batch only; a pool gets the connection back clean
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException | org.jooq.exception.DataAccessException e) {
            throw new PgqjException("Bulk " + what + " of held jobs (" + filter + ") failed after " + done
                    + " jobs in " + batches + " batches: " + e.getMessage(), e);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        LOG.info("Bulk {} of held jobs matching {}: {} jobs in {} batches ({} ms)", what, filter, done, batches,
                elapsed.toMillis());
        return new BulkResult(done, batches, elapsed);
    }

    /**
     * The newest statistics rows (pgqueuer's {@code log_statistics}), newest first. Counts appear once
     * log rows are aggregated ({@link StatisticsAggregation}, which workers run periodically).
     *
     * @param limit  at most this many rows
     * @param within only rows created within this long before now; {@link Duration#ZERO} for no bound
     */
    public List<StatisticsEntry> statistics(DSLContext dsl, int limit, Duration within) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1 (got " + limit + ")");
        }
        Objects.requireNonNull(within, "within; use Duration.ZERO for no bound");
        if (within.isNegative()) {
            throw new IllegalArgumentException("within must not be negative (got " + within + ")");
        }
        Condition recent = within.isZero() ? DSL.trueCondition()
                : PGQUEUER_STATISTICS.CREATED.gt(currentOffsetDateTime().minus(
                        val(DayToSecond.valueOf(within))));
        return q(dsl).select(PGQUEUER_STATISTICS.CREATED, PGQUEUER_STATISTICS.COUNT, PGQUEUER_STATISTICS.ENTRYPOINT,
                        PGQUEUER_STATISTICS.PRIORITY, PGQUEUER_STATISTICS.STATUS)
                .from(PGQUEUER_STATISTICS)
                .where(recent)
                .orderBy(PGQUEUER_STATISTICS.ID.desc())
                .limit(limit)
                .fetch(r -> new StatisticsEntry(r.value1().toInstant(), r.value2(), r.value3(), r.value4(),
                        Statuses.toJobStatus(r.value5())));
    }

    /**
     * Deletes aggregated log rows older than {@code olderThan} in short batches of their own transactions
     * (see {@link LogRetention}); runs on a connection from {@code dataSource}, not in a caller's transaction.
     */
    public PruneResult pruneLog(DataSource dataSource, Duration olderThan) {
        return LogRetention.create(tables).pruneLog(dataSource, olderThan);
    }

    /** Deletes statistics rows older than {@code olderThan}, as {@link #pruneLog} does log rows. */
    public PruneResult pruneStatistics(DataSource dataSource, Duration olderThan) {
        return LogRetention.create(tables).pruneStatistics(dataSource, olderThan);
    }

    /** As {@link #waitForCompletion(DataSource, Collection, Duration, Duration)} with a 1 s poll fallback. */
    public CompletionResult waitForCompletion(DataSource dataSource, Collection<Long> ids, Duration timeout) {
        return waitForCompletion(dataSource, ids, timeout, DEFAULT_POLL);
    }

    /**
     * Blocks until each job has a terminal status (successful, exception, canceled, deleted) or the
     * timeout passes. Uses one connection of its own from {@code dataSource}: it LISTENs on the queue's
     * channel and re-reads the statuses whenever a notification arrives (a worker finishing a job
     * deletes its row, which notifies), and at least every {@code poll} in case a notification is missed.
     *
     * @return the terminal statuses seen and the ids still pending; never throws on timeout
     * @throws PgqjException when the database cannot be reached
     */
    public CompletionResult waitForCompletion(DataSource dataSource, Collection<Long> ids, Duration timeout,
                                              Duration poll) {
        Objects.requireNonNull(dataSource, "dataSource");
        Long[] array = ids(ids);
        requirePositive(timeout, "timeout");
        requirePositive(poll, "poll");
        Set<Long> wanted = new LinkedHashSet<>(List.of(array));
        Map<Long, JobStatus> finished = new LinkedHashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            // UNLISTEN at the end: a pooled connection goes back without our LISTEN, or its next user
            // would get our events
            try (ChannelSubscription events = ChannelSubscription.listen(connection, tables.channel())) {
                DSLContext dsl = DSL.using(connection, SQLDialect.POSTGRES);
                while (true) {
                    // LISTEN came first, so a job finishing after this read still wakes the wait below
                    jobStatuses(dsl, wanted).forEach((id, status) -> {
                        if (status.isTerminal()) {
                            finished.put(id, status);
                        }
                    });
                    wanted.removeAll(finished.keySet());
                    long left = deadline - System.nanoTime();
                    if (wanted.isEmpty() || left <= 0) {
                        break;
                    }
                    long waitMillis = Math.max(1, Math.min(poll.toMillis(), (left + 999_999) / 1_000_000));
                    events.read((int) Math.min(Integer.MAX_VALUE, waitMillis)); // any event: re-read
                }
            }
        } catch (SQLException e) {
            throw new PgqjException("Waiting for jobs " + wanted + " failed: " + e.getMessage(), e);
        }
        return new CompletionResult(finished, wanted);
    }

    private static void requirePositive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive (got " + d + ")");
        }
    }

    /** Deletes the matching queue rows and logs each with {@code status}, in one statement. */
    private List<Long> deleteAndLog(DSLContext q, Condition which, PgqueuerStatus status) {
        CommonTableExpression<?> deleted = name("pgqj_deleted").as(q.deleteFrom(PGQUEUER).where(which)
                .returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY));
        return logFrom(q, deleted, status);
    }

    /** Logs each (id, entrypoint, priority) row of {@code changed} with {@code status}; returns the ids. */
    private static List<Long> logFrom(DSLContext q, CommonTableExpression<?> changed, PgqueuerStatus status) {
        // bare column names: the CTE is the only table of this select (see Cte on render mapping)
        return q.with(changed)
                .insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT,
                        PGQUEUER_LOG.PRIORITY)
                .select(select(Cte.col(changed, "id", Long.class), Statuses.literal(status),
                        Cte.col(changed, "entrypoint", String.class), Cte.col(changed, "priority", Integer.class))
                        .from(changed))
                .returningResult(PGQUEUER_LOG.JOB_ID)
                .fetch(r -> r.value1());
    }

    /**
     * Pauses {@code entrypoint} for every Java worker on the database, in the caller's transaction: from the commit
     * no Java worker claims its jobs (running ones finish; enqueue goes on), and workers started later stay off it
     * until {@link #resume}. Workers hear of it at once on pgqj's own NOTIFY channel
     * ({@code PgqueuerNames.controlsChannel()}), and re-read it after a reconnect and every
     * {@code WorkerOptions.pauseRecheckInterval()}. Python workers do not know about pause: the result's
     * {@link PauseResult#pythonNotice()} says when one may serve the entrypoint. Pausing a paused entrypoint changes
     * nothing.
     *
     * @param by who pauses (logged, and kept with the pause), e.g. a user name; at most 200 characters
     * @throws PgqjException when pgqj's control tables are not installed (the message names the install step), or
     *                       {@code entrypoint} or {@code by} is blank
     */
    public PauseResult pause(DSLContext dsl, String entrypoint, String by) {
        DSLContext q = controls(dsl, entrypoint, by);
        boolean changed = PauseTable.pause(q, tables.names(), entrypoint, by);
        Optional<String> python = pythonNotice(q, entrypoint);
        LOG.info("Entrypoint '{}' {} for every Java worker by {}", entrypoint, changed ? "paused" : "was already paused",
                by);
        python.ifPresent(notice -> LOG.warn("Entrypoint '{}' is paused for Java workers only: {}", entrypoint, notice));
        return new PauseResult(entrypoint, true, changed, python);
    }

    /**
     * Resumes {@code entrypoint} for every Java worker, in the caller's transaction: at the commit the workers are
     * notified and claim its jobs at once. Resuming an entrypoint that is not paused changes nothing. A worker's own
     * in-code pause ({@code Worker.pause}) stays.
     *
     * @param by who resumes (logged), at most 200 characters
     * @throws PgqjException when pgqj's control tables are not installed, or a name is blank
     */
    public PauseResult resume(DSLContext dsl, String entrypoint, String by) {
        DSLContext q = controls(dsl, entrypoint, by);
        boolean changed = PauseTable.resume(q, tables.names(), entrypoint, by);
        LOG.info("Entrypoint '{}' {} for every Java worker by {}", entrypoint, changed ? "resumed" : "was not paused",
                by);
        return new PauseResult(entrypoint, false, changed, Optional.empty());
    }

    /** The entrypoints paused for every Java worker, by name; empty when pgqj's control tables are not installed. */
    public List<PausedEntrypoint> pausedEntrypoints(DSLContext dsl) {
        return PauseTable.read(q(dsl), tables.names()).orElse(List.of()).stream()
                .map(r -> new PausedEntrypoint(r.entrypoint(), r.pausedAt().toInstant(), r.pausedBy()))
                .toList();
    }

    /** Whether pgqj's control tables (pause) are installed ({@code ControlsSchema}). */
    public boolean controlsInstalled(DSLContext dsl) {
        return PauseTable.installed(q(dsl), tables.names());
    }

    /**
     * Why Python workers may still claim {@code entrypoint} although it is paused (they do not know about pause), or
     * empty when none is in sight: live Python workers on the database, sessions this role cannot see, or picked jobs
     * of the entrypoint held by queue managers no live Java worker carries.
     */
    public Optional<String> pythonNotice(DSLContext dsl, String entrypoint) {
        return pythonNotice(QueueInspection.create(tables).liveWorkers(Objects.requireNonNull(dsl, "dsl")), entrypoint);
    }

    /** {@link #pythonNotice(DSLContext, String)} from workers already read ({@link QueueInspection#liveWorkers}). */
    public static Optional<String> pythonNotice(LiveWorkers live, String entrypoint) {
        List<String> why = new ArrayList<>();
        long python = live.count(WorkerLanguage.PYTHON);
        if (python > 0) {
            why.add(python + " live Python worker" + (python == 1 ? "" : "s") + " on this database");
        }
        if (live.hiddenSessions() > 0) {
            why.add(live.hiddenSessions() + " session(s) this role cannot see (a Python worker among them is not "
                    + "recognised; grant pg_read_all_stats to tell)");
        }
        long foreign = live.unattributedJobs().stream().filter(a -> a.entrypoints().contains(entrypoint)).count();
        if (foreign > 0) {
            why.add("its running jobs held by " + foreign + " queue manager(s) no live Java worker carries");
        }
        if (why.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("Python workers do not know about pause and keep claiming '" + entrypoint + "' if they "
                + "serve it: " + String.join("; ", why) + ". Stop or scale down the Python workers that serve it too.");
    }

    private DSLContext controls(DSLContext dsl, String entrypoint, String by) {
        if (entrypoint == null || entrypoint.isBlank()) {
            throw new PgqjException("Entrypoint to pause or resume must not be blank, got '" + entrypoint + "'");
        }
        if (by == null || by.isBlank() || by.length() > 200) {
            throw new PgqjException("Who pauses or resumes ('by') must be 1 to 200 characters, got '" + by + "'");
        }
        DSLContext q = q(dsl);
        PgqueuerNames names = tables.names();
        if (!PauseTable.installed(q, names)) {
            throw new PgqjException("Cannot pause or resume '" + entrypoint + "': pgqj's control tables are not "
                    + "installed (table " + names.qualified(names.pausedEntrypointsTable()) + " is missing). Install "
                    + "them once, with a role that may create tables: `pgqj install --controls`, "
                    + "ControlsSchema.forDataSource(dataSource).names(names).install(), or the Spring property "
                    + "pgqj.controls.install=true");
        }
        return q;
    }

    private static Long[] ids(Collection<Long> ids) {
        if (ids == null) {
            throw new IllegalArgumentException("ids must not be null; pass an empty collection for none");
        }
        if (ids.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("ids must not contain null: " + ids);
        }
        return new LinkedHashSet<>(ids).toArray(Long[]::new);
    }

    private DSLContext q(DSLContext dsl) {
        return tables.dsl(Objects.requireNonNull(dsl, "dsl"));
    }

    @Override
    public String toString() {
        return "QueueAdmin[" + tables + ", heartbeatTimeout=" + heartbeatTimeout + "]";
    }
}
