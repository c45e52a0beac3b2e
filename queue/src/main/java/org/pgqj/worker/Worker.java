package org.pgqj.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.lifecycle.Lifecycle;
import org.pgqj.internal.queue.ClaimQuery;
import org.pgqj.internal.sql.Backoff;
import org.pgqj.internal.sql.ConnectionErrors;
import org.pgqj.internal.sql.DedicatedConnection;
import org.pgqj.notify.CancellationEvent;
import org.pgqj.notify.ChannelListener;
import org.pgqj.notify.TableChangedEvent;
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
    private final Map<String, Registration> registrations;
    private final Observers observers;
    private final Lifecycle lifecycle = new Lifecycle();
    private Dispatcher dispatcher;
    private CompletionBuffer completions;
    private DedicatedConnection claimConnection;
    private DedicatedConnection writeConnection;
    private ChannelListener listener;
    private Thread dispatcherThread;
    private Thread writerThread;
    private Thread shutdownHook;
    private CompletionWriter writer;

    private Worker(Builder b) {
        this.dataSource = b.dataSource;
        this.tables = b.tables;
        this.options = b.options;
        this.registrations = Map.copyOf(b.chained());
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
        ChannelListener l = listener;
        return l != null && l.isConnected();
    }

    /** Jobs running on this worker now. */
    public int runningJobs() {
        Dispatcher d = dispatcher;
        return d == null ? 0 : d.inflight();
    }

    /**
     * Starts claiming and running jobs in the background; returns at once.
     *
     * @throws WorkerException when the pgqueuer schema is missing or incomplete (the message lists what
     *                         is missing and says to run the migrations), or the worker was started before
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
        completions = new CompletionBuffer(options.batchSize());
        claimConnection = new DedicatedConnection(dataSource, tables, WorkerException::new, options.listen());
        writeConnection = new DedicatedConnection(dataSource, tables, WorkerException::new, options.listen());
        ClaimQuery claim = new ClaimQuery(options.workerId(), tables.names());
        Dispatcher d = new Dispatcher(options, registrations, claim, claimConnection, completions, this::isListening,
                observers);
        dispatcher = d;
        try {
            openConnections(d);
        } catch (RuntimeException e) {
            closeConnections();
            throw e;
        }
        writer = new CompletionWriter(options, registrations.values(), tables, completions, writeConnection, d,
                observers);
        writerThread = Thread.ofPlatform().name("pgqj-writer-" + id()).daemon().start(writer::loop);
        dispatcherThread = Thread.ofPlatform().name("pgqj-dispatcher-" + id()).daemon().start(d::loop);
        if (options.shutdownHook()) {
            shutdownHook = new Thread(this::close, "pgqj-shutdown-" + id());
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        LOG.info("Worker {} started: entrypoints {}, {}", id(), registrations.keySet(), options);
    }

    /**
     * Opens every connection the worker needs before it claims anything: a worker that could claim but
     * not write its outcomes would run jobs nobody records. Waits up to {@link WorkerOptions#startupWait()}.
     */
    private void openConnections(Dispatcher d) {
        long deadline = System.nanoTime() + options.startupWait().toNanos();
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
        for (DedicatedConnection c : new DedicatedConnection[] {claimConnection, writeConnection}) {
            while (true) {
                try {
                    c.open();
                    break;
                } catch (WorkerException e) {
                    if (System.nanoTime() - deadline >= 0) {
                        throw startupFailure(c == claimConnection ? "claim" : "completion-write", e);
                    }
                    Duration wait = backoff.failed();
                    LOG.warn("Worker {} waits for a connection ({}); retrying in {} ms", id(), e.getMessage(), wait.toMillis());
                    Backoff.sleep(wait);
                }
            }
        }
        if (!options.listen()) {
            return;
        }
        listener = ChannelListener.start(dataSource, tables.channel(), listenerApplicationName(), new ChannelListener.Handler() {
            @Override
            public void onTableChanged(TableChangedEvent event) {
                if (event.addsWork()) {
                    d.wake();
                } else if ("delete".equals(event.operation()) && d.isBlocked()) {
                    d.wake(); // a job finished somewhere: its concurrency slot may be free now
                }
            }

            @Override
            public void onCancellation(CancellationEvent event) {
                event.ids().forEach(d::cancel);
            }

            @Override
            public void onConnected() {
                d.wake(); // notifications may have been missed while down
                observers.onListenerConnected();
            }

            @Override
            public void onDisconnected() {
                observers.onListenerDisconnected();
            }
        }, options.healthCheckInterval());
        // the listener connects on its own thread; a refusal shows up as its last failure
        long hardDeadline = deadline + TimeUnit.SECONDS.toNanos(60);
        try {
            while (!listener.awaitConnected(Duration.ofMillis(50))) {
                long now = System.nanoTime();
                var failure = listener.lastFailure();
                if ((failure.isPresent() && now - deadline >= 0) || now - hardDeadline >= 0) {
                    Exception cause = failure.orElse(null);
                    throw startupFailure("LISTEN", cause == null
                            ? new WorkerException("no LISTEN connection within " + options.startupWait().plusSeconds(60))
                            : cause);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerException("Worker " + id() + " was interrupted while opening its connections", e);
        }
    }

    private WorkerException startupFailure(String which, Exception e) {
        int needed = options.listen() ? 3 : 2;
        String why = ConnectionErrors.describe(e);
        if (ConnectionErrors.isTooManyConnections(e)) {
            return new WorkerException("Worker " + id() + " cannot start: it needs " + needed + " connections (claims, "
                    + "completion writes" + (options.listen() ? ", LISTEN" : "") + ") and the server refused its " + which
                    + " connection: " + why + ". The server's max_connections is used up: raise max_connections, "
                    + "give other pools fewer connections, run fewer workers, or let the worker wait for a free "
                    + "connection with WorkerOptions.startupWait (pgqj run --startup-wait)", e);
        }
        return new WorkerException("Worker " + id() + " cannot start: could not open its " + which + " connection: "
                + why + ". Check the database URL and that the server is up, or let the worker wait with "
                + "WorkerOptions.startupWait (pgqj run --startup-wait)", e);
    }

    private void closeConnections() {
        if (listener != null) {
            listener.close();
        }
        claimConnection.close();
        writeConnection.close();
    }

    /**
     * Starts (if not started) and blocks until the worker stops: in drain mode when nothing is left,
     * otherwise until {@link #close()} is called from another thread (or the thread is interrupted).
     */
    public void run() throws InterruptedException {
        lifecycle.startIfNew(this::startRunning);
        try {
            Thread claims = dispatcherThread;
            if (claims != null) {
                claims.join();
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
        Dispatcher d = dispatcher;
        if (d == null) {
            throw new WorkerException("Worker " + id() + " is not started; call start() first");
        }
        d.wake();
        return d.awaitDrained(timeout);
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
        Dispatcher d = dispatcher;
        d.stop();
        join(dispatcherThread, Duration.ofSeconds(30));
        boolean idle;
        try {
            idle = d.awaitIdle(options.shutdownTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            idle = false;
        }
        if (!idle) {
            LOG.warn("Worker {} closing with {} jobs still running after {}; they will be re-run elsewhere",
                    id(), d.inflight(), options.shutdownTimeout());
        }
        completions.close();
        writer.stop();
        join(writerThread, Duration.ofSeconds(5));
        writer.finalFlush();
        if (!idle) {
            d.cancelRunning();
        }
        closeConnections();
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
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
