package org.pgqj.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.pgqj.testing.TestDatabase;

/** Runs the packaged pgqj jar as a separate process, as a user would. */
final class CliProcess {

    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("pgqj.cli.jar", "target/pgqj-cli-0.1.0-SNAPSHOT-all.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException("No CLI jar at " + jar + "; run the tests with ./mvnw verify");
        }
        return jar;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The process, with DATABASE_URL pointing at {@code db} (unless env overrides it) and extra classpath. */
    static ProcessBuilder builder(TestDatabase db, Map<String, String> env, String extraClasspath, String... args) {
        List<String> command = new ArrayList<>(List.of(java()));
        if (extraClasspath == null) {
            command.addAll(List.of("-jar", jar().toString()));
        } else {
            command.addAll(List.of("-cp", jar() + java.io.File.pathSeparator + extraClasspath, "org.pgqj.cli.PgqjCli"));
        }
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("PGQUEUER_PREFIX");
        pb.environment().remove("PGQUEUER_SCHEMA");
        pb.environment().remove("PGDSN");
        pb.environment().remove("PGQUEUER_DSN");
        if (db != null) {
            pb.environment().put("DATABASE_URL", db.postgresUrl());
        } else {
            pb.environment().remove("DATABASE_URL");
        }
        pb.environment().putAll(env);
        return pb;
    }

    static Result run(TestDatabase db, String... args) throws IOException, InterruptedException {
        return run(db, Map.of(), args);
    }

    static Result run(TestDatabase db, Map<String, String> env, String... args) throws IOException, InterruptedException {
        return finish(builder(db, env, null, args).start(), 60);
    }

    static Result finish(Process p, int timeoutSeconds) throws IOException, InterruptedException {
        var out = drain(p.getInputStream());
        var err = drain(p.getErrorStream());
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("pgqj did not finish in " + timeoutSeconds + " s");
        }
        out.join();
        err.join();
        return new Result(p.exitValue(), out.text(), err.text());
    }

    static final class Drain extends Thread {
        private final InputStream in;
        private final StringBuilder text = new StringBuilder();

        Drain(InputStream in) {
            this.in = in;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (text) {
                        text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException e) {
                // process ended
            }
        }

        String text() {
            synchronized (text) {
                return text.toString();
            }
        }
    }

    static Drain drain(InputStream in) {
        Drain d = new Drain(in);
        d.start();
        return d;
    }

    private CliProcess() {
    }
}
