package org.pgqj.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process a test started (a Python script, a CLI jar), with its output read line by line as it comes, so a
 * test can wait for a line with a deadline while the process keeps running. Closing it stops the process
 * (SIGTERM, then a kill after a grace period).
 */
public final class TestProcess implements AutoCloseable {

    /** How a finished process ended. */
    public record Result(int exitCode, List<String> out, List<String> err) {
        /** Copies the lists. */
        public Result {
            out = List.copyOf(out);
            err = List.copyOf(err);
        }

        /** Standard output as one text. */
        public String outText() {
            return join(out);
        }

        /** Standard error as one text. */
        public String errText() {
            return join(err);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + outText() + "--- stderr\n" + errText();
        }

        private static String join(List<String> lines) {
            StringBuilder b = new StringBuilder();
            lines.forEach(l -> b.append(l).append('\n'));
            return b.toString();
        }
    }

    private final String name;
    private final Process process;
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();
    private final Thread outReader;
    private final Thread errReader;

    private TestProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.outReader = reader(process.getInputStream(), out, name + "-out");
        this.errReader = reader(process.getErrorStream(), err, name + "-err");
    }

    /** Starts {@code builder}'s command; {@code name} labels it in messages. */
    public static TestProcess start(String name, ProcessBuilder builder) {
        try {
            return new TestProcess(name, builder.start());
        } catch (IOException e) {
            throw new IllegalStateException("Could not start " + name + " (" + String.join(" ", builder.command())
                    + "): " + e.getMessage(), e);
        }
    }

    /** Runs {@code builder}'s command to its end, at most {@code timeout}. */
    public static Result run(String name, ProcessBuilder builder, Duration timeout) {
        try (TestProcess p = start(name, builder)) {
            return p.finish(timeout);
        }
    }

    /** The OS process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the process still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Every stdout line so far. */
    public List<String> outLines() {
        synchronized (out) {
            return List.copyOf(out);
        }
    }

    /** Every stderr line so far. */
    public List<String> errLines() {
        synchronized (err) {
            return List.copyOf(err);
        }
    }

    /**
     * Waits until stdout has at least {@code count} lines matching {@code match} and returns them; fails with
     * the output so far when the deadline passes or the process ends first.
     */
    public List<String> awaitLines(Predicate<String> match, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (out) {
            while (true) {
                List<String> found = out.stream().filter(match).toList();
                if (found.size() >= count) {
                    return found;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !outReader.isAlive())) {
                    throw new AssertionError(name + ": " + found.size() + " of " + count + " expected lines after "
                            + timeout.toMillis() + " ms" + (process.isAlive() ? "" : " (process ended)")
                            + "\n--- stdout\n" + String.join("\n", out) + "\n--- stderr\n" + String.join("\n", errLines()));
                }
                try {
                    out.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(name + ": interrupted while waiting for output", e);
                }
            }
        }
    }

    /** The first stdout line matching {@code match}, waiting at most {@code timeout}. */
    public String awaitLine(Predicate<String> match, Duration timeout) {
        return awaitLines(match, 1, timeout).getFirst();
    }

    /** The first stdout line matching {@code match} so far, if any. */
    public Optional<String> line(Predicate<String> match) {
        return outLines().stream().filter(match).findFirst();
    }

    /** Waits for the process to end by itself; fails (and kills it) after {@code timeout}. */
    public Result finish(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(name + " did not finish in " + timeout.toMillis() + " ms\n--- stdout\n"
                        + String.join("\n", outLines()) + "\n--- stderr\n" + String.join("\n", errLines()));
            }
            outReader.join(5_000);
            errReader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(name + ": interrupted", e);
        }
        return new Result(process.exitValue(), outLines(), errLines());
    }

    /** Asks the process to stop (SIGTERM) and waits for it up to {@code timeout}, then kills it. */
    public Result stop(Duration timeout) {
        process.destroy();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            outReader.join(5_000);
            errReader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Result(process.isAlive() ? -1 : process.exitValue(), outLines(), errLines());
    }

    /** Stops the process if it still runs (SIGTERM, 10 s grace, then kill). */
    @Override
    public void close() {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(10));
        }
    }

    private static Thread reader(InputStream in, List<String> sink, String threadName) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (sink) {
                        sink.add(line);
                        sink.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended
            } finally {
                synchronized (sink) {
                    sink.notifyAll();
                }
            }
        }, threadName);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
