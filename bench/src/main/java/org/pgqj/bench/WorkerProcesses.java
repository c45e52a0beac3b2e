package org.pgqj.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * {@code --processes N}: N child JVMs (this jar's classpath, {@code --attach <schema>}), each running
 * {@code --workers} workers on the parent's install, as separate worker processes of one application would.
 * A child builds its workers, says {@code ready}, starts them on {@code go} (drain: until nothing is left;
 * throughput: until {@code stop}), and says {@code done <jobs it handled>}. JVM start-up stays outside the
 * measured window.
 */
final class WorkerProcesses implements AutoCloseable {

    private static final Duration READY_WAIT = Duration.ofMinutes(2);

    private record Child(Process process, Writer stdin, BlockingQueue<String> lines) {
    }

    private final List<Child> children;

    private WorkerProcesses(List<Child> children) {
        this.children = children;
    }

    /** Starts {@code o.processes()} children on {@code schema} and waits until each is ready. */
    static WorkerProcesses start(BenchOptions o, String schema) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Benchmark.class.getName()));
        command.addAll(o.childArguments(schema));
        o.databaseUrl().ifPresent(url -> command.addAll(List.of("--database-url", url)));
        List<Child> children = new ArrayList<>();
        WorkerProcesses all = new WorkerProcesses(children);
        try {
            for (int i = 0; i < o.processes(); i++) {
                Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                Thread.ofPlatform().daemon().name("pgqj-bench-child-" + i).start(() -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            lines.add(line);
                        }
                    } catch (IOException e) {
                        lines.add("error " + e);
                    }
                    lines.add("exit");
                });
                children.add(new Child(p, p.outputWriter(UTF_8), lines));
            }
            for (Child c : children) {
                expect(c, "ready", READY_WAIT);
            }
            return all;
        } catch (IOException | InterruptedException | RuntimeException e) {
            all.close();
            throw e;
        }
    }

    private static String expect(Child c, String prefix, Duration wait) throws InterruptedException {
        String line = c.lines.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
        if (line == null || !line.startsWith(prefix)) {
            throw new IllegalStateException("Worker process " + c.process.pid() + " said " + (line == null
                    ? "nothing within " + wait : "'" + line + "'") + " where '" + prefix + "' was due (its stderr is above)");
        }
        return line;
    }

    /** Tells every child to start its workers. */
    void go() throws IOException {
        send("go");
    }

    /** Throughput: tells every child to close its workers (running jobs finish). */
    void stop() throws IOException {
        send("stop");
    }

    private void send(String word) throws IOException {
        for (Child c : children) {
            c.stdin.write(word + "\n");
            c.stdin.flush();
        }
    }

    /** Waits for every child's {@code done}; the jobs they handled together. */
    long awaitDone(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        long handled = 0;
        for (Child c : children) {
            String done = expect(c, "done ", Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            handled += Long.parseLong(done.substring("done ".length()).strip());
            if (!c.process.waitFor(30, TimeUnit.SECONDS) || c.process.exitValue() != 0) {
                throw new IllegalStateException("Worker process " + c.process.pid() + " did not exit cleanly");
            }
        }
        return handled;
    }

    @Override
    public void close() {
        for (Child c : children) {
            c.process.destroy();
        }
    }

    /**
     * The child's side ({@code --attach}): builds the workers, says {@code ready}, runs them on {@code go}, says
     * {@code done <handled>}.
     */
    static void child(BenchOptions o, BenchJobs jobs, BufferedReader in, PrintStream out) throws Exception {
        LongAdder handled = new LongAdder();
        WorkerOptions.Mode mode = o.mode() == BenchOptions.Mode.DRAIN ? WorkerOptions.Mode.DRAIN : WorkerOptions.Mode.CONTINUOUS;
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < o.workers(); i++) {
            workers.add(jobs.worker(mode, (job, ctx) -> handled.increment()));
        }
        out.println("ready");
        out.flush();
        String word = in.readLine();
        if (!"go".equals(word)) {
            throw new IllegalStateException("expected 'go' from the parent, got " + word);
        }
        if (mode == WorkerOptions.Mode.DRAIN) {
            DrainRun.runAll(workers, Duration.ofDays(1), handled); // the parent's deadline governs
        } else {
            workers.forEach(Worker::start);
            in.readLine(); // "stop", or the parent went away
            workers.forEach(Worker::close);
        }
        out.println("done " + handled.sum());
        out.flush();
    }
}
