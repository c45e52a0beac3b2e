package org.pgqj.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.lifecycle.Lifecycle;
import org.pgqj.payload.PayloadCodec;
import org.pgqj.payload.PayloadException;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.schema.SchemaVerification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs from the pgqueuer queue, side by side with Python workers (pgqueuer's {@code QueueManager}).
 *
 * <pre>{@code
 * Worker worker = Worker.builder(dataSource, QueueTables.defaults())
 *         .entrypoint(SendEmail.class, EntrypointOptions.defaults(), (email, ctx) -> mailer.send(email))
 *         .entrypoint("resize", EntrypointOptions.builder().concurrencyLimit(2).build(),
 *                 (job, ctx) -> resize(job.payload()))
 *         .options(WorkerOptions.builder().batchSize(10).build())
 *         .build();
 * worker.start();
 * ...
 * worker.close(); // stop claiming, let running jobs finish, flush, release connections
 * }</pre>
 *
 * <p>The worker keeps three connections of its own from the data source: one for claims, one for
 * completion writes (heartbeats, retries, statistics), and one dedicated LISTEN connection (for a
 * PostgreSQL data source a separate physical connection, never a pooled one); poll-only mode
 * ({@link WorkerOptions#listen()} false) has no LISTEN connection. {@link #start()} opens them all
 * before claiming and fails (naming {@code max_connections} when the server refuses for lack of
 * slots) unless {@link WorkerOptions#startupWait()} lets it wait.
 */
public final class Worker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    private final DataSource dataSource;
    private final QueueTables tables;
    private final WorkerOptions options;
    private final List<Registration> registrations;
    private final Observers observers;
    private final Pauses pauses;
    private final Lifecycle lifecycle = new Lifecycle();
    /** Written once by start(); read by close(), run() and the accessors, on any thread. */
    private volatile RunningWorker running;

    private Worker(Builder b) {
        this.dataSource = b.dataSource;
        this.tables = b.tables;
        this.options = b.options;
        this.registrations = b.chained();
        this.observers = new Observers(b.options.observers());
        this.pauses = new Pauses(b.options.workerId().toString(), b.registrations.keySet(), b.tables.names(), b.options);
    }

    /** A builder for a worker on {@code dataSource} and the pgqueuer install {@code tables}. */
    public static Builder builder(DataSource dataSource, QueueTables tables) {
        return new Builder(dataSource, tables);
    }

    /** This worker's id ({@code queue_manager_id} of the jobs it runs). */
    public UUID id() {
        return options.workerId();
    }

    /** The options. */
    public WorkerOptions options() {
        return options;
    }

    /** The names of the entrypoints this worker runs, in registration order. */
    public List<String> entrypoints() {
        return registrations.stream().map(Registration::name).toList();
    }

    /** The application name of the LISTEN connection, {@code pgqj-listener-<id>}. */
    public String listenerApplicationName() {
        return "pgqj-listener-" + options.workerId();
    }

    /** Whether the LISTEN connection is up. */
    public boolean isListening() {
        RunningWorker r = running;
        return r != null && r.isListening();
    }

    /** Jobs running on this worker now. */
    public int runningJobs() {
        RunningWorker r = running;
        return r == null ? 0 : r.runningJobs();
    }

    /**
     * Pauses {@code entrypoint} on this worker only (in code; gone when the process ends): from its next claim this
     * worker takes none of its jobs; running ones finish, other workers and enqueue are not affected. Callable
     * before {@link #start()}, so a worker can start with an entrypoint off. To pause for every Java worker on the
     * database, and across restarts, use {@code QueueAdmin.pause}; the two add up (a fleet-wide resume leaves this
     * pause in place).
     *
     * @return false when it was paused on this worker already
     * @throws WorkerException when this worker does not register {@code entrypoint}
     */
    public boolean pause(String entrypoint) {
        boolean changed = pauses.pauseLocally(registered(entrypoint));
        wakeClaims();
        return changed;
    }

    /**
     * Resumes {@code entrypoint} paused on this worker by {@link #pause}; the worker claims its jobs at once unless
     * it is paused fleet-wide too ({@code QueueAdmin.resume} lifts that).
     *
     * @return false when it was not paused on this worker
     * @throws WorkerException when this worker does not register {@code entrypoint}
     */
    public boolean resume(String entrypoint) {
        boolean changed = pauses.resumeLocally(registered(entrypoint));
        wakeClaims();
        return changed;
    }

    /**
     * The entrypoints this worker does not claim now: paused here in code and those paused fleet-wide, as of
     * its last read (before every claim after a change is announced). Empty before the first claim.
     */
    public Set<String> pausedEntrypoints() {
        return pauses.effective();
    }

    private String registered(String entrypoint) {
        if (registrations.stream().noneMatch(r -> r.name().equals(entrypoint))) {
            throw new WorkerException("Worker " + id() + " does not register entrypoint '" + entrypoint + "' (it has "
                    + registrations.stream().map(Registration::name).toList() + "); pause one of those");
        }
        return entrypoint;
    }

    private void wakeClaims() {
        RunningWorker r = running;
        if (r != null) {
            r.claimNow();
        }
    }

    /**
     * Starts claiming and running jobs in the background; returns at once.
     *
     * @throws WorkerException when the pgqueuer schema is missing or incomplete (the message lists what
     *                         is missing and says to run the migrations), a connection cannot be opened, or the
     *                         worker was started before; a worker whose start failed is closed
     */
    public Worker start() {
        lifecycle.start(this::startRunning, state -> new WorkerException("Worker " + id() + " was already started (state "
                + state + "); build a new one"));
        return this;
    }

    private void startRunning() {
        // Fail here, with the fix in the message, rather than on the first claim (the seed's "forgot pgq install").
        SchemaVerification schema = PgqueuerSchema.forDataSource(dataSource).names(tables.names()).verify();
        if (!schema.isComplete()) {
            throw new WorkerException("Worker " + id() + " cannot start: " + schema.describe());
        }
        running = RunningWorker.start(dataSource, tables, options, registrations, observers, pauses,
                listenerApplicationName(), this::close);
        LOG.info("Worker {} started: entrypoints {}, {}", id(), registrations.stream().map(Registration::name).toList(),
                options);
    }

    /**
     * Starts (if not started) and blocks until the worker stops: in drain mode when nothing is left,
     * otherwise until {@link #close()} is called from another thread (or the thread is interrupted).
     */
    public void run() throws InterruptedException {
        lifecycle.startIfNew(this::startRunning);
        try {
            RunningWorker r = running;
            if (r != null) {
                r.awaitClaimsEnded();
            }
        } finally {
            close();
        }
    }

    /**
     * Waits until nothing of this worker's entrypoints is queued and nothing runs here (jobs deferred
     * into the future count as queued). Returns false on timeout.
     */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        RunningWorker r = running;
        if (r == null) {
            throw new WorkerException("Worker " + id() + " is not started; call start() first");
        }
        return r.awaitDrained(timeout);
    }

    /**
     * Graceful shutdown: stop claiming, wait up to the shutdown timeout for running jobs, flush their
     * outcomes, close the listener and connections. Jobs still running after the timeout are left
     * {@code picked}; another worker re-runs them once their heartbeat is stale. Idempotent: a close while
     * another is under way returns when that one is done.
     */
    @Override
    public void close() {
        lifecycle.close(() -> {
            running.stop();
            LOG.info("Worker {} stopped", id());
        });
    }

    /** Registers entrypoints and options; {@link #build()} validates and makes the worker. */
    public static final class Builder {
        private final DataSource dataSource;
        private final QueueTables tables;
        private final Map<String, Registration> registrations = new LinkedHashMap<>();
        private WorkerOptions options = WorkerOptions.defaults();
        private PayloadCodec codec = PayloadCodec.defaults();

        private Builder(DataSource dataSource, QueueTables tables) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            this.tables = Objects.requireNonNull(tables, "tables");
        }

        /** A raw entrypoint: the handler gets the row with its payload bytes. */
        public Builder entrypoint(String name, EntrypointOptions entrypointOptions, JobHandler handler) {
            Objects.requireNonNull(handler, "handler");
            register(name, entrypointOptions, handler::handle);
            return this;
        }

        /**
         * A typed entrypoint: its name comes from {@code @Entrypoint} on {@code type}, and the handler
         * gets the payload decoded with the worker's codec. A payload that does not decode ends the job
         * (status {@code exception}, or {@code failed} when held) with a traceback naming the type and error.
         */
        public <T> Builder entrypoint(Class<T> type, EntrypointOptions entrypointOptions, TypedHandler<T> handler) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(handler, "handler");
            String name;
            try {
                name = PayloadCodec.entrypointOf(type);
            } catch (PayloadException e) {
                throw new WorkerException(e.getMessage(), e);
            }
            register(name, entrypointOptions, (job, ctx) -> {
                T payload;
                try {
                    payload = codec.decode(job.payload(), type);
                } catch (PayloadException e) {
                    throw new Registration.PayloadFailure(e);
                }
                handler.handle(payload, ctx);
            });
            return this;
        }

        private void register(String name, EntrypointOptions entrypointOptions, Registration.Invoker invoker) {
            if (name == null || name.isBlank()) {
                throw new WorkerException("Entrypoint name must not be blank, got '" + name + "'");
            }
            Objects.requireNonNull(entrypointOptions, "entrypointOptions");
            if (registrations.containsKey(name)) {
                throw new WorkerException("Entrypoint '" + name + "' is already registered on this worker; "
                        + "register each name once");
            }
            registrations.put(name, new Registration(name, entrypointOptions, invoker, List.of()));
        }

        /** Each registration with its whole chain: MDC, the options' worker-wide, then the entrypoint's own. */
        private List<Registration> chained() {
            List<Registration> out = new ArrayList<>();
            registrations.forEach((name, r) -> {
                List<JobInterceptor> chain = new ArrayList<>();
                chain.add(MdcScope.INSTANCE);
                chain.addAll(options.interceptors());
                chain.addAll(options.entrypointInterceptors().getOrDefault(name, List.of()));
                out.add(r.withInterceptors(chain));
            });
            return out;
        }

        /**
         * Worker options (default {@link WorkerOptions#defaults()}), with the worker's interceptors and
         * observers.
         */
        public Builder options(WorkerOptions workerOptions) {
            this.options = Objects.requireNonNull(workerOptions, "options");
            return this;
        }

        /** The codec for typed entrypoints (default {@link PayloadCodec#defaults()}). */
        public Builder payloadCodec(PayloadCodec payloadCodec) {
            this.codec = Objects.requireNonNull(payloadCodec, "payloadCodec");
            return this;
        }

        /** The worker, not yet started. */
        public Worker build() {
            if (registrations.isEmpty()) {
                throw new WorkerException("A worker needs at least one entrypoint; call entrypoint(...) before build()");
            }
            for (String name : options.entrypointInterceptors().keySet()) {
                if (!registrations.containsKey(name)) {
                    throw new WorkerException("Interceptor for entrypoint '" + name + "', which this worker does not "
                            + "register (it has " + registrations.keySet() + "); register it or fix the name");
                }
            }
            return new Worker(this);
        }
    }
}
