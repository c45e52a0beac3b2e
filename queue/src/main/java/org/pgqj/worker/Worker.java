package org.pgqj.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.lifecycle.Lifecycle;
import org.pgqj.internal.queue.ClaimQuery;
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
    private final Lifecycle lifecycle = new Lifecycle();
    /** Written once by start(); read by close(), run() and the accessors, on any thread. */
    private volatile Running running;

    /** What a started worker runs: its connections, the roles of its core, and their two threads. */
    private record Running(WorkerConnections connections, Wakeup wakeup, OwnedJobs owned, WriterThreadSink writer,
                           Thread claimThread, Thread writerThread, Thread shutdownHook) {
    }

    private Worker(Builder b) {
        this.dataSource = b.dataSource;
        this.tables = b.tables;
        this.options = b.options;
        this.registrations = List.copyOf(b.chained().values());
        List<WorkerObserver> all = new ArrayList<>(b.options.observers());
        all.addAll(b.observers);
        this.observers = new Observers(all);
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

    /** The application name of the LISTEN connection, {@code pgqj-listener-<id>}. */
    public String listenerApplicationName() {
        return "pgqj-listener-" + options.workerId();
    }

    /** Whether the LISTEN connection is up. */
    public boolean isListening() {
        Running r = running;
        return r != null && r.connections().isListening();
    }

    /** Jobs running on this worker now. */
    public int runningJobs() {
        Running r = running;
        return r == null ? 0 : r.wakeup().running();
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
        boolean limited = registrations.stream().anyMatch(Registration::holdsSlots);
        OutcomeBuffer claimLoopBuffer = new OutcomeBuffer();
        OutcomeBuffer writerBuffer = new OutcomeBuffer();
        OwnedJobs owned = new OwnedJobs(List.of(claimLoopBuffer, writerBuffer));
        Wakeup wakeup = new Wakeup(options, limited, () -> !writerBuffer.isEmpty());
        WorkerConnections connections = new WorkerConnections(dataSource, tables, options, listenerApplicationName());
        Housekeeping housekeeping = new Housekeeping(options, registrations, owned, tables.names());
        WriterThreadSink writer = new WriterThreadSink(id(), writerBuffer, connections.writes, wakeup, housekeeping,
                observers);
        ClaimQuery claimQuery = new ClaimQuery(id(), tables.names());
        WithClaimSink withClaim = new WithClaimSink(claimLoopBuffer, writer, claimQuery, observers);
        JobRunner runner = new JobRunner(id(), registrations, writer, withClaim, owned, wakeup, housekeeping);
        ClaimLoop claims = new ClaimLoop(options, registrations, claimQuery, connections.claims, wakeup, runner, owned,
                withClaim, writer, connections::isListening, observers);
        connections.open(wakeup, owned, observers);
        Thread hook = null;
        if (options.shutdownHook()) {
            hook = new Thread(this::close, "pgqj-shutdown-" + id());
            try {
                Runtime.getRuntime().addShutdownHook(hook);
            } catch (IllegalStateException e) {
                connections.close();
                throw new WorkerException("Worker " + id() + " cannot start: the JVM is shutting down", e);
            }
        }
        Thread writerThread = Thread.ofPlatform().name("pgqj-writer-" + id()).daemon().start(writer::loop);
        Thread claimThread = Thread.ofPlatform().name("pgqj-claims-" + id()).daemon().start(claims::loop);
        running = new Running(connections, wakeup, owned, writer, claimThread, writerThread, hook);
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
            Running r = running;
            if (r != null) {
                r.claimThread().join();
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
        Running r = running;
        if (r == null) {
            throw new WorkerException("Worker " + id() + " is not started; call start() first");
        }
        return r.wakeup().awaitDrained(timeout);
    }

    /**
     * Graceful shutdown: stop claiming, wait up to the shutdown timeout for running jobs, flush their
     * outcomes, close the listener and connections. Jobs still running after the timeout are left
     * {@code picked}; another worker re-runs them once their heartbeat is stale. Idempotent: a close while
     * another is under way returns when that one is done.
     */
    @Override
    public void close() {
        lifecycle.close(this::stop);
    }

    private void stop() {
        Running r = running;
        r.wakeup().stopClaims();
        join(r.claimThread(), Duration.ofSeconds(30));
        boolean idle;
        try {
            idle = r.wakeup().awaitIdle(options.shutdownTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            idle = false;
        }
        if (!idle) {
            LOG.warn("Worker {} closing with {} jobs still running after {}; they will be re-run elsewhere",
                    id(), r.wakeup().running(), options.shutdownTimeout());
        }
        r.writer().close();
        join(r.writerThread(), Duration.ofSeconds(5));
        r.writer().finalFlush();
        if (!idle) {
            r.owned().cancelAll();
        }
        r.connections().close();
        if (r.shutdownHook() != null && Thread.currentThread() != r.shutdownHook()) {
            try {
                Runtime.getRuntime().removeShutdownHook(r.shutdownHook());
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down
            }
        }
        LOG.info("Worker {} stopped", id());
    }

    private static void join(Thread t, Duration timeout) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Registers entrypoints and options; {@link #build()} validates and makes the worker. */
    public static final class Builder {
        private final DataSource dataSource;
        private final QueueTables tables;
        private final Map<String, Registration> registrations = new LinkedHashMap<>();
        private final List<JobInterceptor> interceptors = new ArrayList<>();
        private final Map<String, List<JobInterceptor>> entrypointInterceptors = new LinkedHashMap<>();
        private final List<WorkerObserver> observers = new ArrayList<>();
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

        /**
         * Adds an interceptor around every handler call of this worker, inside those of
         * {@link WorkerOptions#interceptors()} and after the ones added before (see {@link JobInterceptor}).
         */
        public Builder interceptor(JobInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /** Adds an interceptor around the handler calls of one entrypoint, inside the worker-wide ones. */
        public Builder interceptor(String entrypoint, JobInterceptor interceptor) {
            Objects.requireNonNull(entrypoint, "entrypoint");
            Objects.requireNonNull(interceptor, "interceptor");
            entrypointInterceptors.computeIfAbsent(entrypoint, k -> new ArrayList<>()).add(interceptor);
            return this;
        }

        /** Adds an observer of the worker's claims, writes and listener (after those of the options). */
        public Builder observer(WorkerObserver observer) {
            observers.add(Objects.requireNonNull(observer, "observer"));
            return this;
        }

        /** Each registration with its whole chain: MDC, the options', the worker's, the entrypoint's. */
        private Map<String, Registration> chained() {
            Map<String, Registration> out = new LinkedHashMap<>();
            registrations.forEach((name, r) -> {
                List<JobInterceptor> chain = new ArrayList<>();
                chain.add(MdcScope.INSTANCE);
                chain.addAll(options.interceptors());
                chain.addAll(interceptors);
                chain.addAll(entrypointInterceptors.getOrDefault(name, List.of()));
                out.put(name, r.withInterceptors(chain));
            });
            return out;
        }

        /** Worker options (default {@link WorkerOptions#defaults()}). */
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
            for (String name : entrypointInterceptors.keySet()) {
                if (!registrations.containsKey(name)) {
                    throw new WorkerException("Interceptor for entrypoint '" + name + "', which this worker does not "
                            + "register (it has " + registrations.keySet() + "); register it or fix the name");
                }
            }
            return new Worker(this);
        }
    }
}
