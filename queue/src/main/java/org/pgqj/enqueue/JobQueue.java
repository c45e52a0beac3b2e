package org.pgqj.enqueue;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.pgqj.core.QueueTables;
import org.pgqj.payload.PayloadCodec;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer side of the queue: puts jobs into pgqueuer's tables so Python or Java workers run them.
 *
 * <p>Every method takes the caller's {@link DSLContext} and runs in whatever transaction it is in:
 * nothing here opens, commits or rolls back. If the caller commits, the jobs are durable and the
 * queue's trigger wakes the workers (PostgreSQL delivers the NOTIFY on commit); if it rolls back, the
 * jobs never existed.
 *
 * <pre>{@code
 * JobQueue queue = JobQueue.create(QueueTables.defaults());
 * dsl.transaction(trx -> {
 *     long articleId = trx.dsl().insertInto(ARTICLE, ARTICLE.TITLE).values("Hello").returning(ARTICLE.ID)
 *             .fetchOne(ARTICLE.ID);
 *     queue.enqueue(trx.dsl(), new IndexArticle(articleId)); // @Entrypoint("index_article")
 * });
 * }</pre>
 *
 * <p>The statement is written in the jOOQ DSL, rendered once per shape, and executed on the caller's
 * JDBC connection ({@link DSLContext#connection}); jOOQ execute listeners do not see it.
 *
 * <p>Immutable and thread-safe; make one per install and share it.
 */
public final class JobQueue {

    private static final Logger LOG = LoggerFactory.getLogger(JobQueue.class);

    private final QueueTables tables;
    private final PayloadCodec codec;
    private final EnqueueQuery query;
    private final List<EnqueueInterceptor> interceptors;

    private JobQueue(QueueTables tables, PayloadCodec codec, EnqueueQuery query, List<EnqueueInterceptor> interceptors) {
        this.tables = Objects.requireNonNull(tables, "tables");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.query = query == null ? new EnqueueQuery(tables) : query;
        this.interceptors = List.copyOf(interceptors);
    }

    /** A queue on this install, with the default {@link PayloadCodec}. */
    public static JobQueue create(QueueTables tables) {
        return new JobQueue(tables, PayloadCodec.defaults(), null, List.of());
    }

    /** A queue on this install with the given codec (e.g. {@code PayloadCodec.using(myObjectMapper)}). */
    public static JobQueue create(QueueTables tables, PayloadCodec codec) {
        return new JobQueue(tables, codec, null, List.of());
    }

    /**
     * This queue with {@code interceptor} after the ones it has: each enqueue call passes its jobs through
     * them in registration order before writing.
     */
    public JobQueue withInterceptor(EnqueueInterceptor interceptor) {
        Objects.requireNonNull(interceptor, "interceptor");
        List<EnqueueInterceptor> all = new ArrayList<>(interceptors);
        all.add(interceptor);
        return new JobQueue(tables, codec, query, all);
    }

    /** The install this queue writes to. */
    public QueueTables tables() {
        return tables;
    }

    /** The codec for typed payloads. */
    public PayloadCodec codec() {
        return codec;
    }

    /**
     * Enqueues one job of the record's {@code @Entrypoint} with its JSON payload.
     *
     * @return the new job's id
     * @throws org.pgqj.payload.PayloadException when the type has no {@code @Entrypoint} or does not serialise
     */
    public long enqueue(DSLContext dsl, Object record) {
        if (record instanceof NewJob job) {
            return enqueue(dsl, job);
        }
        return enqueue(dsl, job(record).build());
    }

    /**
     * Enqueues one job, failing on a taken dedupe key.
     *
     * @return the new job's id
     * @throws DuplicateJobException when its dedupe key is held by a queued or picked job
     */
    public long enqueue(DSLContext dsl, NewJob job) {
        return enqueue(dsl, List.of(job), OnConflict.RAISE).ids().getFirst().orElseThrow();
    }

    /**
     * Enqueues many jobs in one statement, failing the whole batch on a taken dedupe key.
     *
     * @return the ids in input order
     */
    public List<Long> enqueueAll(DSLContext dsl, List<NewJob> jobs) {
        return enqueue(dsl, jobs, OnConflict.RAISE).writtenIds();
    }

    /**
     * Enqueues many jobs in one statement (one round trip), with the queued log rows, in the caller's
     * transaction.
     *
     * @param jobs       the jobs; an empty list writes nothing and sends nothing
     * @param onConflict what a taken dedupe key does
     * @return one entry per job in input order: its id, empty if it was skipped, or with
     *         {@link OnConflict#UPDATE_PRIORITY} the id of the live job whose priority it raised
     * @throws DuplicateJobException with {@link OnConflict#RAISE}, when a dedupe key is taken
     * @throws IllegalArgumentException when the list or an element is null (before anything is sent)
     */
    public EnqueueResult enqueue(DSLContext dsl, List<NewJob> jobs, OnConflict onConflict) {
        Objects.requireNonNull(dsl, "dsl");
        Objects.requireNonNull(onConflict, "onConflict");
        if (jobs == null) {
            throw new IllegalArgumentException("jobs must not be null; pass an empty list for none");
        }
        for (int i = 0; i < jobs.size(); i++) {
            if (jobs.get(i) == null) {
                throw new IllegalArgumentException("jobs[" + i + "] is null; remove it or build a NewJob");
            }
        }
        if (jobs.isEmpty()) {
            return new EnqueueResult(List.of());
        }
        if (onConflict == OnConflict.UPDATE_PRIORITY) {
            rejectRepeatedDedupeKeys(jobs);
        }
        List<NewJob> copy = intercepted(List.copyOf(jobs));
        EnqueueResult result;
        try {
            result = query.execute(dsl, copy, onConflict);
        } catch (SQLException e) {
            throw translate(e, copy);
        }
        LOG.debug("Enqueued {} of {} jobs ({})", result.writtenCount(), copy.size(), onConflict);
        return result;
    }

    private List<NewJob> intercepted(List<NewJob> jobs) {
        List<NewJob> current = jobs;
        for (EnqueueInterceptor interceptor : interceptors) {
            List<NewJob> next = interceptor.beforeEnqueue(current);
            if (next == null || next.size() != current.size() || next.stream().anyMatch(Objects::isNull)) {
                throw new IllegalStateException("Enqueue interceptor " + interceptor + " returned "
                        + (next == null ? "null" : next.size() + " jobs" + (next.stream().anyMatch(Objects::isNull) ? " with a null" : ""))
                        + " for a batch of " + current.size() + "; it must return one job per input job, in order");
            }
            current = List.copyOf(next);
        }
        return current;
    }

    /** UPDATE_PRIORITY updates the live job of a key; one statement cannot update one row twice (as pgqueuer). */
    private static void rejectRepeatedDedupeKeys(List<NewJob> jobs) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (NewJob job : jobs) {
            job.dedupeKey().ifPresent(key -> {
                if (!seen.add(key)) {
                    throw new IllegalArgumentException("dedupe key '" + key + "' appears twice in one batch; with "
                            + "OnConflict.UPDATE_PRIORITY each key may appear once (enqueue the higher priority only)");
                }
            });
        }
    }

    /** Enqueues records (each with its {@code @Entrypoint}) in one statement; ids in input order. */
    public List<Long> enqueueRecords(DSLContext dsl, List<?> records) {
        List<NewJob> jobs = new ArrayList<>(records.size());
        for (Object r : records) {
            jobs.add(r instanceof NewJob j ? j : job(r).build());
        }
        return enqueueAll(dsl, jobs);
    }

    /** A builder with the record's entrypoint and JSON payload (this queue's codec), to add options. */
    public NewJob.Builder job(Object record) {
        return NewJob.typed(record, codec);
    }

    private RuntimeException translate(SQLException e, List<NewJob> jobs) {
        PSQLException pg = e instanceof PSQLException p ? p : null;
        String uniqueIndex = tables.names().dedupeKeyIndex();
        if (pg != null && "23505".equals(pg.getSQLState())) {
            ServerErrorMessage m = pg.getServerErrorMessage();
            if (m != null && uniqueIndex.equals(m.getConstraint())) {
                List<String> keys = conflictingKey(m.getDetail())
                        .map(List::of)
                        .orElseGet(() -> jobs.stream().flatMap(j -> j.dedupeKey().stream()).toList());
                return new DuplicateJobException("Dedupe key " + keys + " is already held by a queued or picked "
                        + "job; nothing of the batch of " + jobs.size() + " was written and the transaction is "
                        + "aborted (roll it back). Use OnConflict.SKIP to skip such jobs instead.", keys, e);
            }
        }
        return new DataAccessException("Enqueue of " + jobs.size() + " jobs failed: " + e.getMessage(), e);
    }

    /** PostgreSQL's detail reads {@code Key (dedupe_key)=(value) already exists.} */
    private static java.util.Optional<String> conflictingKey(String detail) {
        String start = "Key (dedupe_key)=(";
        String end = ") already exists.";
        if (detail != null && detail.startsWith(start) && detail.endsWith(end)) {
            return java.util.Optional.of(detail.substring(start.length(), detail.length() - end.length()));
        }
        return java.util.Optional.empty();
    }

    @Override
    public String toString() {
        return "JobQueue[" + tables + "]";
    }
}
