package org.pgqj.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.pgqj.admin.LogRetention;
import org.pgqj.schedule.CronExpressions;
import org.pgqj.schedule.InvalidCronExpressionException;
import org.pgqj.schedule.Scheduler;
import org.pgqj.worker.FailureLogging;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerException;
import org.pgqj.worker.WorkerFactory;
import org.pgqj.worker.WorkerObserver;
import org.pgqj.worker.WorkerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code pgqj run FACTORY}: builds a worker with the user's factory and runs it until SIGTERM/SIGINT. */
@Command(name = "run", description = "Run the worker that FACTORY builds, until SIGTERM/SIGINT (or until drained).")
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    enum Mode { continuous, drain }

    @ParentCommand
    PgqjCli root;

    @Parameters(paramLabel = "FACTORY",
            description = "A class implementing org.pgqj.worker.WorkerFactory, or Class::method (a public static "
                    + "method taking WorkerFactory.Context and returning a Worker), on the classpath.")
    String factory;

    @Option(names = "--batch-size", defaultValue = "10",
            description = "Jobs per claim when the queue is shallow, and the first claim (default 10).")
    int batchSize;

    @Option(names = "--max-batch-size", paramLabel = "N",
            description = "Most jobs per claim on a deep backlog: claims double while they come back full (default 500).")
    Integer maxBatchSize;

    @Option(names = "--max-concurrent-tasks", defaultValue = "0", description = "Handlers at once on this worker (0 = unlimited).")
    int maxConcurrentTasks;

    @Option(names = "--heartbeat-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "A picked job without a heartbeat for this long is re-run elsewhere (default 30).")
    double heartbeatTimeout;

    @Option(names = "--dequeue-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "Poll at least this often without a notification (default 30).")
    double dequeueTimeout;

    @Option(names = "--mode", defaultValue = "continuous", description = "continuous (default) or drain (stop when nothing is left).")
    Mode mode;

    @Option(names = "--no-listen", description = "Poll-only: no LISTEN connection (for PgBouncer transaction pooling, "
            + "where LISTEN does not work); no session settings, no forced server-side prepares. Put prepareThreshold=0 "
            + "in the URL for PgBouncer before 1.21.")
    boolean noListen;

    @Option(names = "--poll-interval", defaultValue = "1", paramLabel = "SECONDS",
            description = "With --no-listen (or while the LISTEN connection is down): claim at least this often (default 1).")
    double pollInterval;

    @Option(names = "--startup-wait", defaultValue = "0", paramLabel = "SECONDS",
            description = "Wait up to this long for the worker's connections at start (default 0: fail at once, "
                    + "naming max_connections when the server is full).")
    double startupWait;

    @Option(names = "--restart-on-failure", description = "Build and start the worker again when it fails.")
    boolean restartOnFailure;

    @Option(names = "--restart-delay", defaultValue = "5", paramLabel = "SECONDS", description = "Wait before a restart (default 5).")
    double restartDelay;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics (pgqj.* and pgqueuer_*) at http://0.0.0.0:PORT/metrics.")
    Integer metricsPort;

    @Option(names = "--otel", description = "Trace every job with OpenTelemetry, configured by the standard OTEL_* "
            + "environment (OTEL_TRACES_EXPORTER=otlp|logging, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME).")
    boolean otel;

    @Option(names = "--shutdown-on-listener-failure",
            description = "Stop (gracefully, exit 1) when the LISTEN connection fails instead of reconnecting.")
    boolean shutdownOnListenerFailure;

    @Option(names = "--retention", paramLabel = "AGE",
            description = "Run the built-in retention schedule beside the worker: delete log rows older than AGE "
                    + "(7d, 12h, 30m, 90s or ISO-8601 P7D). However many processes run it, one runs each tick.")
    String retention;

    @Option(names = "--retention-statistics", description = "With --retention: prune the statistics table too.")
    boolean retentionStatistics;

    @Option(names = "--retention-cron", paramLabel = "CRON",
            description = "With --retention: when it runs (default '" + LogRetention.DEFAULT_CRON + "', hourly at minute 17).")
    String retentionCron;

    @Option(names = "--failure-log-retry-level", defaultValue = "warn", paramLabel = "LEVEL",
            description = "Level of the line logged for a failed job that is retried or held: error, warn (default), "
                    + "info, debug or off.")
    String failureLogRetryLevel;

    @Option(names = "--failure-log-final-level", defaultValue = "error", paramLabel = "LEVEL",
            description = "Level of the line logged for a job that failed for good (exception): error (default), warn, "
                    + "info, debug or off.")
    String failureLogFinalLevel;

    @Option(names = "--failure-log-flood", defaultValue = "10/60", paramLabel = "N/SECONDS",
            description = "At most N failure lines per entrypoint per SECONDS, then one summary line with the count "
                    + "when the interval ends (default 10/60; 0/60 logs every failure).")
    String failureLogFlood;

    @Option(names = "--no-failure-log-stack-trace", description = "Failure lines without the stack trace.")
    boolean noFailureLogStackTrace;

    private final AtomicInteger signals = new AtomicInteger();
    private volatile boolean stopping;
    private volatile boolean listenerFailed;
    private volatile Worker current;
    private volatile Thread closer;
    private volatile Scheduler scheduler;
    /** Replaced before each worker is created; counted down by the listener observer on the listener's thread. */
    private volatile CountDownLatch listenerLost = new CountDownLatch(1);

    /** The --failure-log-* options; a bad value is one line naming the option. */
    FailureLogging failureLogging() {
        String[] flood = failureLogFlood.split("/", -1);
        int threshold;
        double interval;
        try {
            if (flood.length != 2) {
                throw new NumberFormatException();
            }
            threshold = Integer.parseInt(flood[0].strip());
            interval = Double.parseDouble(flood[1].strip());
        } catch (NumberFormatException e) {
            throw new CliException("--failure-log-flood must be N/SECONDS, e.g. 10/60, got '" + failureLogFlood + "'");
        }
        try {
            return new FailureLogging(level(failureLogRetryLevel, "--failure-log-retry-level"),
                    level(failureLogFinalLevel, "--failure-log-final-level"), threshold,
                    seconds(interval, "--failure-log-flood"), !noFailureLogStackTrace);
        } catch (WorkerException e) {
            throw new CliException("--failure-log-flood: " + e.getMessage());
        }
    }

    private static FailureLogging.Level level(String value, String option) {
        try {
            return FailureLogging.Level.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CliException(option + " must be error, warn, info, debug or off, got '" + value + "'");
        }
    }

    @Override
    public Integer call() throws Exception {
        Duration retentionAge = retentionAge(); // before connecting: bad input is one line
        WorkerFactory workerFactory = resolve(factory);
        WorkerOptions.Builder builder;
        try {
            builder = WorkerOptions.builder()
                    .batchSize(batchSize)
                    .maxConcurrentJobs(maxConcurrentTasks)
                    .heartbeatTimeout(seconds(heartbeatTimeout, "--heartbeat-timeout"))
                    .dequeueTimeout(seconds(dequeueTimeout, "--dequeue-timeout"))
                    .mode(mode == Mode.drain ? WorkerOptions.Mode.DRAIN : WorkerOptions.Mode.CONTINUOUS)
                    .listen(!noListen)
                    .pollInterval(seconds(pollInterval, "--poll-interval"))
                    .startupWait(startupWait == 0 ? Duration.ZERO : seconds(startupWait, "--startup-wait"))
                    .failureLogging(failureLogging());
            if (maxBatchSize != null) {
                builder.maxBatchSize(maxBatchSize);
            }
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        javax.sql.DataSource dataSource = root.installedDataSource();
        Instrumentation instrumentation = Instrumentation.apply(builder, metricsPort, otel, dataSource, root.tables());
        if (shutdownOnListenerFailure) {
            // told by the listener itself: a poll of isListening() can miss a loss and reconnect under load
            builder.observer(new WorkerObserver() {
                @Override
                public void onListenerDisconnected() {
                    listenerLost.countDown();
                }
            });
        }
        WorkerOptions options = builder.build();
        WorkerFactory.Context context = new WorkerFactory.Context(dataSource, root.tables(), options);

        installSignalHandlers();
        try {
            if (retentionAge != null) {
                scheduler = startRetention(dataSource, retentionAge);
            }
            while (true) {
                try {
                    listenerLost = new CountDownLatch(1);
                    Worker worker = create(workerFactory, context);
                    current = worker;
                    if (stopping) {
                        worker.close();
                        return 0;
                    }
                    LOG.info("Worker {} running ({} mode, batch {})", worker.id(), mode, batchSize);
                    Thread watchdog = shutdownOnListenerFailure ? watchListener(worker) : null;
                    try {
                        worker.run();
                    } finally {
                        // run() returns once claiming stops; a close() begun by a signal or the watchdog is still
                        // waiting for the running jobs, and the process must not exit before it is done
                        Thread closing = closer;
                        if (closing != null) {
                            closing.join();
                        }
                        if (watchdog != null) {
                            if (listenerFailed) {
                                watchdog.join();
                            } else {
                                watchdog.interrupt();
                            }
                        }
                    }
                    LOG.info("Worker {} stopped", worker.id());
                    if (listenerFailed) {
                        LOG.error("Worker {} was stopped because its listener failed (--shutdown-on-listener-failure)",
                                worker.id());
                        return 1;
                    }
                    return 0;
                } catch (RuntimeException e) {
                    if (stopping || !restartOnFailure) {
                        throw e;
                    }
                    LOG.error("Worker failed: {}; restarting in {} s", CliErrors.oneLine(e), restartDelay);
                    Thread.sleep((long) (restartDelay * 1000));
                }
            }
        } finally {
            Scheduler s = scheduler;
            if (s != null) {
                s.close(); // waits for a running prune; already under way when a signal started it
            }
            instrumentation.close();
        }
    }

    /** The --retention age, after checking all three retention options; null without --retention. */
    private Duration retentionAge() {
        if (retention == null) {
            if (retentionStatistics || retentionCron != null) {
                throw new CliException("--retention-statistics and --retention-cron need --retention AGE "
                        + "(how old a log row must be to be deleted, e.g. --retention 7d)");
            }
            return null;
        }
        Duration age = MaintenanceCommands.age(retention, "--retention");
        if (age.isZero()) {
            throw new CliException("--retention must be more than zero (got '" + retention + "'): a zero age deletes "
                    + "every counted log row at every tick; give e.g. 7d");
        }
        if (retentionCron != null) {
            try {
                CronExpressions.normalize(retentionCron);
            } catch (InvalidCronExpressionException e) {
                throw new CliException("--retention-cron: " + e.getMessage());
            }
        }
        return age;
    }

    /** A scheduler with the one retention schedule, started: stopped with the worker. */
    private Scheduler startRetention(javax.sql.DataSource dataSource, Duration age) {
        String cron = retentionCron != null ? retentionCron : LogRetention.DEFAULT_CRON;
        Scheduler s = Scheduler.builder(dataSource, root.tables()).retention(cron, age, retentionStatistics).build();
        s.start();
        LOG.info("Retention schedule {} on '{}': deletes log{} rows older than {} (one process of all that run it "
                        + "takes each tick)", LogRetention.ENTRYPOINT, CronExpressions.normalize(cron),
                retentionStatistics ? " and statistics" : "", retention);
        return s;
    }

    /**
     * SIGINT/SIGTERM: the first starts a graceful shutdown (stop claiming, let running jobs finish, flush); a
     * second stops the process at once, as {@code pgq run} 2.2 does. Jobs still running then stay {@code picked}
     * and are re-run elsewhere once their heartbeat is older than the heartbeat timeout. The JVM's own handlers
     * (which run shutdown hooks and ignore any further signal while they run) are replaced for these two.
     */
    private void installSignalHandlers() {
        for (String name : List.of("INT", "TERM")) {
            try {
                // sun.misc.Signal (jdk.unsupported) is the only way to see a second signal while shutting down
                sun.misc.Signal.handle(new sun.misc.Signal(name), this::onSignal);
            } catch (IllegalArgumentException e) {
                LOG.debug("SIG{} cannot be handled here; the JVM's default stays: {}", name, e.getMessage());
            }
        }
    }

    private void onSignal(sun.misc.Signal signal) {
        if (signals.incrementAndGet() == 1) {
            stopping = true;
            LOG.info("Signal SIG{} received: stopping the worker gracefully (a second signal stops at once)",
                    signal.getName());
            Scheduler s = scheduler;
            if (s != null) {
                // beside the worker's close, not after it: neither waits for the other's running work
                Thread.ofPlatform().name("pgqj-run-scheduler-shutdown").start(s::close);
            }
            Worker w = current;
            if (w != null) {
                Thread t = Thread.ofPlatform().name("pgqj-run-shutdown").unstarted(w::close);
                closer = t; // before start: the main thread must see it once run() returns
                t.start();
            }
        } else {
            LOG.warn("Second signal SIG{} received: stopping at once; running jobs stay picked and are re-run "
                    + "after their heartbeat times out", signal.getName());
            Runtime.getRuntime().halt(128 + signal.getNumber());
        }
    }

    /**
     * Closes the worker gracefully once its LISTEN connection is lost (after having been up): told by the worker's
     * observer, or seen by polling when a factory built its worker without the options it was given.
     */
    private Thread watchListener(Worker worker) {
        CountDownLatch lost = listenerLost;
        return Thread.ofVirtual().name("pgqj-listener-watch").start(() -> {
            boolean wasListening = false;
            try {
                while (true) {
                    boolean told = lost.await(20, TimeUnit.MILLISECONDS);
                    boolean listening = worker.isListening();
                    if ((told || (wasListening && !listening)) && !stopping) {
                        listenerFailed = true;
                        stopping = true;
                        LOG.error("The listener of worker {} failed; shutting down (--shutdown-on-listener-failure)",
                                worker.id());
                        worker.close();
                        return;
                    }
                    if (told) {
                        return; // lost while a signal was already stopping the worker
                    }
                    wasListening |= listening;
                }
            } catch (InterruptedException e) {
                // the worker stopped
            }
        });
    }

    /** A positive number of seconds from option {@code flag}, or a one-line error naming it. */
    static Duration seconds(double value, String flag) {
        if (!(value > 0)) {
            throw new CliException(flag + " must be a positive number of seconds, not " + value);
        }
        return Duration.ofNanos((long) (value * 1_000_000_000L));
    }

    private static Worker create(WorkerFactory factory, WorkerFactory.Context context) {
        try {
            Worker worker = factory.create(context);
            if (worker == null) {
                throw new CliException("The factory returned no worker (null)");
            }
            return worker;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CliException("The factory failed: " + CliErrors.oneLine(e));
        }
    }

    /** {@code a.b.C} (a WorkerFactory) or {@code a.b.C::method}. */
    static WorkerFactory resolve(String spec) {
        String className = spec;
        String methodName = null;
        int sep = spec.indexOf("::");
        if (sep >= 0) {
            className = spec.substring(0, sep);
            methodName = spec.substring(sep + 2);
        }
        Class<?> type;
        try {
            type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new CliException("Unknown factory '" + spec + "': class " + className + " is not on the classpath "
                    + "(run with: java -cp your-app.jar:pgqj-cli-all.jar org.pgqj.cli.PgqjCli run " + spec + ")");
        }
        if (methodName == null) {
            if (!WorkerFactory.class.isAssignableFrom(type)) {
                throw new CliException("Factory '" + spec + "' does not implement org.pgqj.worker.WorkerFactory; "
                        + "implement it or name a method as " + className + "::method");
            }
            try {
                return (WorkerFactory) type.getConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new CliException("Cannot create factory " + className + ": it needs a public no-argument constructor");
            }
        }
        for (Method m : type.getMethods()) {
            if (!m.getName().equals(methodName) || !Modifier.isStatic(m.getModifiers())
                    || !Worker.class.isAssignableFrom(m.getReturnType())) {
                continue;
            }
            Class<?>[] params = m.getParameterTypes();
            if (params.length == 1 && params[0] == WorkerFactory.Context.class) {
                return context -> invoke(m, spec, context);
            }
            if (params.length == 0) {
                return context -> invoke(m, spec);
            }
        }
        throw new CliException("Unknown factory '" + spec + "': " + className + " has no public static method "
                + methodName + "(WorkerFactory.Context) returning a Worker");
    }

    private static Worker invoke(Method m, String spec, Object... args) throws Exception {
        try {
            return (Worker) m.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : new CliException("Factory " + spec + " failed: " + e.getCause());
        }
    }
}
