package org.pgqj.testing.queue;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.pgqj.admin.QueueInspection;
import org.pgqj.core.Job;
import org.pgqj.core.QueueTables;
import org.pgqj.payload.PayloadCodec;

/**
 * Assertions on what is in the queue table: the jobs a piece of code enqueued (River's {@code RequireInserted},
 * Oban's {@code assert_enqueued}). Read through the connection you give: inside your transaction before it
 * commits ({@link #in(DSLContext)}, {@link #in(Connection)}), or committed ({@link #in(DataSource)}). Each
 * failure is an {@link AssertionError} that lists every job in the queue, so a near miss (wrong priority, a
 * payload field off by one) shows at once.
 *
 * <pre>{@code
 * dsl.transaction(tx -> {
 *     orders.place(tx.dsl(), order);
 *     EnqueuedJobs.in(tx.dsl()).requireOne(ShipOrder.class, ship -> ship.orderId() == order.id());
 * });
 * }</pre>
 */
public final class EnqueuedJobs {

    /** Rows read at most; a test queue with more is not what these assertions are for. */
    private static final int MAX_JOBS = 10_000;
    /** Payload bytes shown per job in a failure message. */
    private static final int PAYLOAD_SHOWN = 200;

    private final DSLContext dsl;
    private final QueueTables tables;
    private final PayloadCodec codec;

    private EnqueuedJobs(DSLContext dsl, QueueTables tables, PayloadCodec codec) {
        this.dsl = dsl;
        this.tables = tables;
        this.codec = codec;
    }

    /** Reads through {@code dsl}: inside its transaction when it is in one. Default install and codec. */
    public static EnqueuedJobs in(DSLContext dsl) {
        return new EnqueuedJobs(Objects.requireNonNull(dsl, "dsl"), QueueTables.defaults(), PayloadCodec.defaults());
    }

    /** Reads on {@code connection}, inside its transaction when it is in one. */
    public static EnqueuedJobs in(Connection connection) {
        return in(DSL.using(Objects.requireNonNull(connection, "connection"), SQLDialect.POSTGRES));
    }

    /** Reads committed rows, each read on a connection of its own from {@code dataSource}. */
    public static EnqueuedJobs in(DataSource dataSource) {
        return in(DSL.using(Objects.requireNonNull(dataSource, "dataSource"), SQLDialect.POSTGRES));
    }

    /** The same reads on the install {@code tables} (a prefix or schema) instead of the default one. */
    public EnqueuedJobs tables(QueueTables queueTables) {
        return new EnqueuedJobs(dsl, Objects.requireNonNull(queueTables, "tables"), codec);
    }

    /** The same reads, decoding typed payloads with {@code payloadCodec} (your application's). */
    public EnqueuedJobs codec(PayloadCodec payloadCodec) {
        return new EnqueuedJobs(dsl, tables, Objects.requireNonNull(payloadCodec, "codec"));
    }

    /** Every job in the queue table (queued, picked or held), in enqueue order (by id). */
    public List<Job> all() {
        List<Job> jobs = new ArrayList<>(QueueInspection.create(tables).jobs(dsl, MAX_JOBS, 0, List.of(), List.of()));
        jobs.sort(Comparator.comparingLong(Job::id));
        return jobs;
    }

    /** The jobs that match. */
    public List<Job> matching(JobMatcher matcher) {
        Objects.requireNonNull(matcher, "matcher");
        return all().stream().filter(job -> matcher.matches(job, codec)).toList();
    }

    /**
     * The one job that matches.
     *
     * @throws AssertionError when none or several match, listing what is enqueued
     */
    public Job requireOne(JobMatcher matcher) {
        Objects.requireNonNull(matcher, "matcher");
        List<Job> jobs = all();
        List<Job> hits = jobs.stream().filter(job -> matcher.matches(job, codec)).toList();
        if (hits.size() != 1) {
            throw new AssertionError("Expected exactly one enqueued job matching " + matcher + ", found "
                    + hits.size() + (hits.isEmpty() ? "" : " " + hits.stream().map(Job::id).toList()) + ".\n"
                    + listing(jobs, matcher));
        }
        return hits.get(0);
    }

    /**
     * The payload of the one job of {@code type}'s entrypoint whose payload satisfies {@code test}.
     *
     * @throws AssertionError when none or several match, listing what is enqueued
     */
    public <T> T requireOne(Class<T> type, Predicate<? super T> test) {
        return codec.decode(requireOne(JobMatcher.payload(type, test)).payload(), type);
    }

    /**
     * The one job whose payload equals {@code expected} (decoded as its class, compared with {@code equals}:
     * a record compares its components).
     *
     * @throws AssertionError when none or several match, listing what is enqueued
     */
    public Job requirePayload(Object expected) {
        return requireOne(JobMatcher.payloadEqualTo(expected));
    }

    /**
     * Exactly these jobs and no others, in enqueue order: the first job matches the first matcher, and so on
     * (River's {@code RequireManyInserted}).
     *
     * @return the jobs, in that order
     * @throws AssertionError when the queue holds other jobs, fewer, or in another order, listing what is enqueued
     */
    public List<Job> requireExactly(JobMatcher... matchers) {
        List<JobMatcher> expected = Arrays.asList(matchers);
        List<Job> jobs = all();
        boolean ok = jobs.size() == expected.size();
        for (int i = 0; ok && i < jobs.size(); i++) {
            ok = expected.get(i).matches(jobs.get(i), codec);
        }
        if (!ok) {
            StringBuilder s = new StringBuilder("Expected exactly these " + expected.size() + " enqueued jobs, in order:\n");
            for (int i = 0; i < expected.size(); i++) {
                s.append("  ").append(i + 1).append(". ").append(expected.get(i)).append('\n');
            }
            throw new AssertionError(s + listing(jobs, null));
        }
        return jobs;
    }

    /**
     * That no job matches.
     *
     * @throws AssertionError naming the jobs that do
     */
    public void requireNone(JobMatcher matcher) {
        Objects.requireNonNull(matcher, "matcher");
        List<Job> jobs = all();
        List<Long> hits = jobs.stream().filter(job -> matcher.matches(job, codec)).map(Job::id).toList();
        if (!hits.isEmpty()) {
            throw new AssertionError("Expected no enqueued job matching " + matcher + ", found " + hits + ".\n"
                    + listing(jobs, null));
        }
    }

    /**
     * That the queue is empty.
     *
     * @throws AssertionError listing what is enqueued
     */
    public void requireEmpty() {
        List<Job> jobs = all();
        if (!jobs.isEmpty()) {
            throw new AssertionError("Expected an empty queue.\n" + listing(jobs, null));
        }
    }

    /** What is enqueued, one line a job; with what differs from {@code matcher} on its entrypoint's jobs. */
    private String listing(List<Job> jobs, JobMatcher matcher) {
        if (jobs.isEmpty()) {
            return "Enqueued: nothing (" + tables + ")";
        }
        StringBuilder s = new StringBuilder("Enqueued (" + jobs.size() + (jobs.size() == MAX_JOBS ? "+" : "") + "):");
        for (Job job : jobs) {
            s.append("\n  ").append(describe(job));
            if (matcher != null && job.entrypoint().equals(matcher.entrypoint())) {
                List<String> off = matcher.mismatches(job, codec);
                if (!off.isEmpty()) {
                    s.append("\n      differs: ").append(String.join("; ", off));
                }
            }
        }
        return s.toString();
    }

    private static String describe(Job job) {
        String payload = new String(job.payload(), StandardCharsets.UTF_8);
        if (payload.length() > PAYLOAD_SHOWN) {
            payload = payload.substring(0, PAYLOAD_SHOWN) + "...";
        }
        StringBuilder s = new StringBuilder("#").append(job.id()).append(' ').append(job.entrypoint())
                .append(" [").append(job.status().label()).append("] priority ").append(job.priority())
                .append(", delay ").append(Duration.between(job.created(), job.executeAfter()));
        job.dedupeKey().ifPresent(k -> s.append(", dedupe key ").append(k));
        if (!job.headers().isEmpty()) {
            s.append(", headers ").append(job.headers());
        }
        return s.append(", payload ").append(job.hasPayload() ? payload : "(null)").toString();
    }
}
