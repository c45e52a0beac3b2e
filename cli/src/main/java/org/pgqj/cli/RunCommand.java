package org.pgqj.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerFactory;
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

    @Option(names = "--batch-size", defaultValue = "10", description = "Jobs per claim (default 10).")
    int batchSize;

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

    private volatile boolean stopping;
    private volatile Worker current;

    @Override
    public Integer call() throws Exception {
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
                    .startupWait(startupWait == 0 ? Duration.ZERO : seconds(startupWait, "--startup-wait"));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        javax.sql.DataSource dataSource = root.installedDataSource();
        Instrumentation instrumentation = Instrumentation.apply(builder, metricsPort, otel, dataSource, root.tables());
        WorkerOptions options = builder.build();
        WorkerFactory.Context context = new WorkerFactory.Context(dataSource, root.tables(), options);

        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopping = true;
            Worker w = current;
            if (w != null) {
                LOG.info("Signal received: stopping the worker gracefully");
                w.close();
            }
            try {
                finished.await(options.shutdownTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pgqj-run-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            while (true) {
                try {
                    Worker worker = create(workerFactory, context);
                    current = worker;
                    if (stopping) {
                        worker.close();
                        return 0;
                    }
                    LOG.info("Worker {} running ({} mode, batch {})", worker.id(), mode, batchSize);
                    worker.run();
                    LOG.info("Worker {} stopped", worker.id());
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
            instrumentation.close();
            finished.countDown();
            if (!stopping) {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
        }
    }

    private static Duration seconds(double value, String flag) {
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
