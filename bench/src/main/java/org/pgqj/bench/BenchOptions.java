package org.pgqj.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.pgqj.schema.Durability;

/**
 * The benchmark's command line, parsed by hand ({@code --key value}, plus the flag
 * {@code --with-baseline}). Every error names the bad flag or value.
 *
 * @param mode              what to measure
 * @param jobs              jobs for drain, baseline and latency (default per mode)
 * @param duration          how long throughput runs
 * @param workers           worker instances (baseline: threads)
 * @param batchSize         jobs per claim statement (the worker's starting and shallow-queue claim size)
 * @param maxBatchSize      the worker's largest claim on a deep backlog; empty: the library's default
 * @param enqueueBatchSize  jobs per enqueue statement of a throughput producer
 * @param producers         producer threads in throughput mode
 * @param concurrencyLimit  the entrypoint's global concurrency limit, 0 = unlimited
 * @param maxConcurrent     most jobs running at once per worker, 0 = unlimited
 * @param warmup            latency mode: jobs run first and not counted
 * @param withBaseline      drain mode: also run the baseline on the same number of jobs and print the ratio
 * @param observability     run with pgqj-metrics and pgqj-tracing on (Prometheus registry, OpenTelemetry SDK)
 * @param durability        the benchmark install's {@link Durability} (which tables are UNLOGGED)
 * @param outputJson        where to write the JSON report
 * @param entrypoints       entrypoints every worker registers; jobs are spread evenly over them
 * @param limited           how many of them (the first ones) have {@code concurrencyLimit}
 * @param payloadBytes      size of every job's payload; empty: a 7-byte JSON object
 * @param processes         worker processes: 1 runs the workers in this JVM, more starts that many child JVMs
 * @param backlog           throughput: jobs enqueued before the producers and workers start
 * @param rate              throughput: jobs/s all producers together enqueue, 0 = as fast as they can
 * @param foreignBacklog    drain/throughput: jobs of an entrypoint no worker registers, enqueued first at a
 *                          higher priority (another service's backlog in the same queue)
 * @param delayedBacklog    drain/throughput: jobs of the run's own entrypoints due in a day, enqueued first (ahead
 *                          of the run's jobs in claim order at the same priority: reminders scheduled for tomorrow);
 *                          a drain then runs continuous workers until their handlers ran {@code --jobs} jobs
 * @param databaseUrl       the database instead of {@code DATABASE_URL} (child processes get it too)
 * @param attach            internal: run as a child worker process on this existing benchmark schema
 */
public record BenchOptions(Mode mode, Optional<Integer> jobs, Duration duration, int workers, int batchSize,
                           Optional<Integer> maxBatchSize, int enqueueBatchSize, int producers, int concurrencyLimit, int maxConcurrent,
                           int warmup, boolean withBaseline, boolean observability, Durability durability,
                           Optional<Path> outputJson, int entrypoints, int limited, Optional<Integer> payloadBytes,
                           int processes, int backlog, int rate, int foreignBacklog, int delayedBacklog, Optional<String> databaseUrl,
                           Optional<String> attach) {

    /** The benchmark modes. */
    public enum Mode {
        /** Producers and workers run side by side for a while. */
        THROUGHPUT,
        /** Pre-enqueued jobs, workers in drain mode until none is left. */
        DRAIN,
        /** One job at a time to an idle worker: enqueue to handler start. */
        LATENCY,
        /** The worker's claim and complete statements in a plain loop, no worker around them. */
        BASELINE
    }

    /** The usage text. */
    public static final String USAGE = """
            Usage: pgqj-bench [--mode throughput|drain|latency|baseline] [options]
              --mode MODE               what to measure (default drain)
              --jobs N                  jobs for drain/baseline (default 100000) and latency (default 1000)
              --duration SECONDS        how long throughput runs (default 10)
              --workers N               worker instances; baseline: threads (default 1)
              --batch-size N            jobs per claim statement when the queue is shallow (default 10, the library's)
              --max-batch-size N        largest claim on a deep backlog (default: the library's, 500)
              --enqueue-batch-size N    jobs per enqueue statement of a throughput producer (default 100)
              --producers N             producer threads in throughput mode (default 1)
              --concurrency-limit N     the entrypoint's global concurrency limit, 0 = unlimited (default 0)
              --max-concurrent N        most jobs running at once per worker, 0 = unlimited (default 0)
              --warmup N                latency: jobs run first and not counted (default 1000)
              --with-baseline           drain: also run the baseline at the same batch size, print worker/baseline
              --observability           worker and enqueue with metrics (Prometheus registry) and tracing
                                        (OpenTelemetry SDK, batch span processor) on, to price them
              --durability LEVEL        the install's durability: durable (default), balanced (log and statistics
                                        UNLOGGED) or volatile (all four tables UNLOGGED; jobs lost in a crash)
              --entrypoints N           entrypoints every worker registers; jobs spread evenly over them (default 1)
              --limited N               how many of them have --concurrency-limit (default: all when it is set)
              --payload-bytes N         every job's payload, a JSON object of N bytes (default: 7 bytes)
              --processes N             drain/throughput: worker processes, each with --workers workers (default 1:
                                        the workers run in this JVM; more: child JVMs, which need a database URL)
              --backlog N               throughput: jobs enqueued before producers and workers start (default 0)
              --rate N                  throughput: jobs/s all producers together enqueue (default 0: flat out);
                                        reports enqueue -> handler start percentiles
              --delayed-backlog N       drain/throughput: N jobs of the run's entrypoints due in a day, enqueued first
                                        (ahead in claim order at the same priority); a drain ends when --jobs ran
              --foreign-backlog N       drain/throughput: N jobs of an entrypoint no worker serves, enqueued first
                                        at priority 10 (another service's backlog; default 0)
              --database-url URL        the database (default: DATABASE_URL)
              --output-json FILE        also write the report as JSON
              --help                    this text
            Database: --database-url, else DATABASE_URL (or PGQUEUER_DSN, PGDSN); unset: an embedded PostgreSQL 15.
            Every run reports the WAL written per job, and with pg_stat_statements installed in the database
            (shared_preload_libraries), the statements per job on the benchmark's tables, by kind.
            """;

    private static final List<String> FLAGS = List.of("--mode", "--jobs", "--duration", "--workers", "--batch-size",
            "--max-batch-size", "--enqueue-batch-size", "--producers", "--concurrency-limit", "--max-concurrent", "--warmup", "--with-baseline",
            "--observability", "--durability", "--output-json", "--entrypoints", "--limited", "--payload-bytes",
            "--processes", "--backlog", "--rate", "--foreign-backlog", "--delayed-backlog", "--database-url", "--attach", "--help");

    /** Defaults: drain, batch 10, one worker, one producer. */
    public static BenchOptions defaults() {
        return new BenchOptions(Mode.DRAIN, Optional.empty(), Duration.ofSeconds(10), 1, 10, Optional.empty(), 100, 1, 0, 0,
                LatencyRun.DEFAULT_WARMUP, false, false, Durability.DURABLE, Optional.empty(), 1, 0, Optional.empty(), 1, 0, 0,
                0, 0, Optional.empty(), Optional.empty());
    }

    /**
     * The claim size a worker reaches on a deep backlog ({@code --max-batch-size}, else the library's default
     * ceiling), which the baseline runs so that worker / baseline compares equal claims.
     */
    public int claimCeiling() {
        return maxBatchSize.orElse(Math.max(batchSize, org.pgqj.worker.WorkerOptions.DEFAULT_MAX_BATCH_SIZE));
    }

    /** Jobs of this run: the option, else 1,000 for latency and 100,000 otherwise. */
    public int jobCount() {
        return jobs.orElse(mode == Mode.LATENCY ? 1_000 : 100_000);
    }

    /**
     * Parses the arguments.
     *
     * @throws IllegalArgumentException naming the bad flag or value
     */
    public static BenchOptions parse(String... args) {
        BenchOptions o = defaults();
        Mode mode = o.mode;
        Optional<Integer> jobs = o.jobs;
        Duration duration = o.duration;
        int workers = o.workers;
        int batch = o.batchSize;
        Optional<Integer> maxBatch = o.maxBatchSize;
        int enqueueBatch = o.enqueueBatchSize;
        int producers = o.producers;
        int limit = o.concurrencyLimit;
        int maxConcurrent = o.maxConcurrent;
        int warmup = o.warmup;
        boolean withBaseline = false;
        boolean observability = false;
        Durability durability = o.durability;
        Optional<Path> json = Optional.empty();
        int entrypoints = o.entrypoints;
        Optional<Integer> limited = Optional.empty();
        Optional<Integer> payloadBytes = o.payloadBytes;
        int processes = o.processes;
        int backlog = o.backlog;
        int rate = o.rate;
        int foreignBacklog = o.foreignBacklog;
        int delayedBacklog = o.delayedBacklog;
        Optional<String> databaseUrl = o.databaseUrl;
        Optional<String> attach = o.attach;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (!FLAGS.contains(flag)) {
                throw new IllegalArgumentException("Unknown option '" + flag + "'; known options: " + String.join(", ", FLAGS));
            }
            if (flag.equals("--help")) {
                throw new HelpRequested();
            }
            if (flag.equals("--with-baseline")) {
                withBaseline = true;
                continue;
            }
            if (flag.equals("--observability")) {
                observability = true;
                continue;
            }
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                throw new IllegalArgumentException("Option " + flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--mode" -> mode = mode(value);
                case "--jobs" -> jobs = Optional.of(number(flag, value, 1));
                case "--duration" -> duration = seconds(flag, value);
                case "--workers" -> workers = number(flag, value, 1);
                case "--batch-size" -> batch = number(flag, value, 1);
                case "--max-batch-size" -> maxBatch = Optional.of(number(flag, value, 1));
                case "--enqueue-batch-size" -> enqueueBatch = number(flag, value, 1);
                case "--producers" -> producers = number(flag, value, 1);
                case "--concurrency-limit" -> limit = number(flag, value, 0);
                case "--max-concurrent" -> maxConcurrent = number(flag, value, 0);
                case "--warmup" -> warmup = number(flag, value, 0);
                case "--durability" -> durability = durability(value);
                case "--output-json" -> json = Optional.of(Path.of(value));
                case "--entrypoints" -> entrypoints = number(flag, value, 1);
                case "--limited" -> limited = Optional.of(number(flag, value, 0));
                case "--payload-bytes" -> payloadBytes = Optional.of(number(flag, value, BenchJobs.MIN_PAYLOAD_BYTES));
                case "--processes" -> processes = number(flag, value, 1);
                case "--backlog" -> backlog = number(flag, value, 0);
                case "--rate" -> rate = number(flag, value, 0);
                case "--foreign-backlog" -> foreignBacklog = number(flag, value, 0);
                case "--delayed-backlog" -> delayedBacklog = number(flag, value, 0);
                case "--database-url" -> databaseUrl = Optional.of(value);
                case "--attach" -> attach = Optional.of(value);
                default -> throw new IllegalStateException("unhandled option " + flag);
            }
        }
        if (withBaseline && mode != Mode.DRAIN) {
            throw new IllegalArgumentException("--with-baseline goes with --mode drain (got --mode "
                    + mode.name().toLowerCase(Locale.ROOT) + "); --mode baseline runs the baseline alone");
        }
        if (limited.isPresent() && limited.get() > entrypoints) {
            throw new IllegalArgumentException("Option --limited: " + limited.get() + " limited entrypoints of "
                    + entrypoints + " (--entrypoints); use at most " + entrypoints);
        }
        if (limited.orElse(0) > 0 && limit == 0) {
            throw new IllegalArgumentException("Option --limited needs --concurrency-limit N (the limit they get)");
        }
        if ((backlog > 0 || rate > 0) && mode != Mode.THROUGHPUT) {
            throw new IllegalArgumentException("Options --backlog and --rate go with --mode throughput (got --mode "
                    + mode.name().toLowerCase(Locale.ROOT) + ")");
        }
        if (foreignBacklog > 0 && mode != Mode.DRAIN && mode != Mode.THROUGHPUT) {
            throw new IllegalArgumentException("Option --foreign-backlog goes with --mode drain or throughput (got --mode "
                    + mode.name().toLowerCase(Locale.ROOT) + ")");
        }
        if (delayedBacklog > 0 && mode != Mode.DRAIN && mode != Mode.THROUGHPUT) {
            throw new IllegalArgumentException("Option --delayed-backlog goes with --mode drain or throughput (got --mode "
                    + mode.name().toLowerCase(Locale.ROOT) + ")");
        }
        if (delayedBacklog > 0 && processes > 1 && mode == Mode.DRAIN) {
            throw new IllegalArgumentException("Option --delayed-backlog with --mode drain runs in one process (got "
                    + "--processes " + processes + "): it ends when this JVM's handlers have run --jobs jobs");
        }
        if (processes > 1 && mode != Mode.DRAIN && mode != Mode.THROUGHPUT) {
            throw new IllegalArgumentException("Option --processes goes with --mode drain or throughput (got --mode "
                    + mode.name().toLowerCase(Locale.ROOT) + ")");
        }
        if (processes > 1 && observability) {
            throw new IllegalArgumentException("Option --processes cannot be combined with --observability (the meters "
                    + "and spans live in this JVM)");
        }
        return new BenchOptions(mode, jobs, duration, workers, batch, maxBatch, enqueueBatch, producers, limit, maxConcurrent,
                warmup, withBaseline, observability, durability, json, entrypoints,
                limited.orElse(limit > 0 ? entrypoints : 0), payloadBytes, processes, backlog, rate, foreignBacklog, delayedBacklog,
                databaseUrl,
                attach);
    }

    /**
     * The options a child worker process runs with ({@code --attach schema}): the worker's own settings, none of
     * the parent's measuring ones.
     */
    List<String> childArguments(String schema) {
        List<String> args = new java.util.ArrayList<>(List.of("--mode", mode.name().toLowerCase(Locale.ROOT),
                "--workers", String.valueOf(workers), "--batch-size", String.valueOf(batchSize),
                "--concurrency-limit", String.valueOf(concurrencyLimit), "--limited", String.valueOf(limited),
                "--max-concurrent", String.valueOf(maxConcurrent), "--entrypoints", String.valueOf(entrypoints),
                "--attach", schema));
        maxBatchSize.ifPresent(m -> args.addAll(List.of("--max-batch-size", String.valueOf(m))));
        return args;
    }

    private static Mode mode(String value) {
        return choice("--mode", "mode", value, Mode.values(), "throughput, drain, latency or baseline");
    }

    private static Durability durability(String value) {
        return choice("--durability", "level", value, Durability.values(), "durable, balanced or volatile");
    }

    /** The constant of {@code values} named {@code value} (any case); otherwise an error naming the flag and the choices. */
    private static <E extends Enum<E>> E choice(String flag, String what, String value, E[] values, String choices) {
        for (E e : values) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new IllegalArgumentException("Option " + flag + ": unknown " + what + " '" + value + "'; use " + choices);
    }

    private static int number(String flag, String value, int min) {
        int n;
        try {
            n = Integer.parseInt(value.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Option " + flag + ": '" + value + "' is not a whole number");
        }
        if (n < min) {
            throw new IllegalArgumentException("Option " + flag + " must be at least " + min + ", got " + n);
        }
        return n;
    }

    private static Duration seconds(String flag, String value) {
        double s;
        try {
            s = Double.parseDouble(value.endsWith("s") ? value.substring(0, value.length() - 1) : value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Option " + flag + ": '" + value + "' is not a number of seconds");
        }
        if (!(s > 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException("Option " + flag + " must be a positive number of seconds, got " + value);
        }
        return Duration.ofNanos((long) (s * 1e9));
    }

    /** {@code --help} was given: print {@link #USAGE} and exit normally. */
    public static final class HelpRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super("help requested", null, false, false);
        }
    }
}
