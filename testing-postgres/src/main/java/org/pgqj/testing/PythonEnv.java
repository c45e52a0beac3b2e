package org.pgqj.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A Python virtual environment for tests that run real Python processes (Python pgqueuer beside the Java
 * code), created once per build directory and reused while its requirements stay the same.
 *
 * <p>Configured by system properties (a module's Surefire configuration sets them):
 * <ul>
 *   <li>{@value #REQUIREMENTS_PROPERTY}: the pip requirement specifiers, separated by spaces
 *       (e.g. {@code pgqueuer==1.6.0 asyncpg==0.32.0}); the one place a module pins them;</li>
 *   <li>{@value #VENV_PROPERTY}: where the environment lives (default {@code target/python-venv});</li>
 *   <li>{@value #PYTHON_PROPERTY}: the interpreter that creates it (default {@code python3} on the
 *       {@code PATH}); {@code none} hides Python, as on a machine without it.</li>
 * </ul>
 * pip reads its own settings as usual ({@code PIP_FIND_LINKS}, {@code pip.conf}).
 *
 * <p>Tests call {@link #require()} first: without a usable python3 the test is skipped with one line that
 * says what is missing and how to run it, never silently.
 */
public final class PythonEnv {

    /** System property with the pip requirements. */
    public static final String REQUIREMENTS_PROPERTY = "pgqj.python.requirements";
    /** System property with the environment's directory. */
    public static final String VENV_PROPERTY = "pgqj.python.venv";
    /** System property with the interpreter that creates the environment ({@code none}: no Python). */
    public static final String PYTHON_PROPERTY = "pgqj.python";

    private static final String MARKER = ".pgqj-requirements";
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(8);

    private static PythonEnv shared;
    private static String unavailable;
    private static boolean skipReported;

    private final Path home;
    private final String requirements;

    private PythonEnv(Path home, String requirements) {
        this.home = home;
        this.requirements = requirements;
    }

    /**
     * The JVM's environment, created (or reused) on first call. Skips the calling test, through a JUnit
     * assumption and one line on stderr, when no usable python3 is there.
     */
    public static synchronized PythonEnv require() {
        if (shared == null && unavailable == null) {
            Optional<String> missing = findInterpreter().map(PythonEnv::checkInterpreter)
                    .orElse(Optional.of("none".equals(System.getProperty(PYTHON_PROPERTY, "").trim())
                            ? "Python hidden by -D" + PYTHON_PROPERTY + "=none" : "no python3 on the PATH"));
            if (missing.isPresent()) {
                unavailable = missing.get();
            } else {
                shared = create(findInterpreter().orElseThrow());
            }
        }
        if (unavailable != null) {
            String line = "SKIPPED Python interop tests: " + unavailable + ". To run them install python3 (3.10+) with "
                    + "venv (Debian: apt-get install python3 python3-venv) or pass -D" + PYTHON_PROPERTY
                    + "=/path/to/python3, then: ./mvnw -pl interop -am verify";
            if (!skipReported) {
                skipReported = true;
                System.err.println(line);
            }
            Assumptions.abort(line);
        }
        return shared;
    }

    /** The environment's directory. */
    public Path home() {
        return home;
    }

    /** The requirement specifiers it was built from. */
    public String requirements() {
        return requirements;
    }

    /** The environment's python. */
    public Path python() {
        return bin("python");
    }

    /** A program the environment installed, e.g. {@code pgq}. */
    public Path bin(String program) {
        return home.resolve("bin").resolve(program);
    }

    /**
     * A process running {@code program} (from the environment's {@code bin}, e.g. {@code python} or
     * {@code pgq}) with {@code args}, with PGDSN set to {@code dsn} and the environment activated; nothing
     * of the caller's PGQUEUER_* settings leaks in.
     */
    public ProcessBuilder process(String dsn, String program, String... args) {
        List<String> command = new ArrayList<>();
        command.add(bin(program).toString());
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("PGQUEUER_") || k.equals("PGDSN") || k.equals("DATABASE_URL"));
        env.put("PGDSN", dsn);
        env.put("VIRTUAL_ENV", home.toString());
        env.put("PATH", home.resolve("bin") + File.pathSeparator + env.getOrDefault("PATH", ""));
        env.put("PYTHONUNBUFFERED", "1");
        env.put("COLUMNS", "200"); // CLIs (typer/rich) wrap their output at the terminal width
        return pb;
    }

    /** A process running the Python file {@code script} with {@code args}, as {@link #process} does. */
    public ProcessBuilder script(String dsn, Path script, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "-u";
        all[1] = script.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return process(dsn, "python", all);
    }

    private static Optional<Path> findInterpreter() {
        String configured = System.getProperty(PYTHON_PROPERTY, "").trim();
        if (configured.equals("none")) {
            return Optional.empty();
        }
        if (configured.contains(File.separator)) {
            Path p = Path.of(configured);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String name = configured.isEmpty() ? "python3" : configured;
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** Why the interpreter cannot build the environment, or empty when it can. */
    private static Optional<String> checkInterpreter(Path python) {
        TestProcess.Result r = TestProcess.run("python3 check", new ProcessBuilder(python.toString(), "-c",
                "import sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2]); sys.exit(0 if sys.version_info >= (3, 10) else 3)"),
                Duration.ofSeconds(60));
        if (r.exitCode() == 3) {
            return Optional.of(python + " is Python " + r.outText().trim() + ", older than 3.10");
        }
        if (r.exitCode() != 0) {
            return Optional.of(python + " cannot create virtual environments (no venv/ensurepip module)");
        }
        return Optional.empty();
    }

    private static PythonEnv create(Path python) {
        String requirements = System.getProperty(REQUIREMENTS_PROPERTY, "").trim();
        if (requirements.isEmpty()) {
            throw new IllegalStateException("No Python requirements: set -D" + REQUIREMENTS_PROPERTY
                    + "='package==version ...' (the module's Surefire configuration does)");
        }
        Path home = Path.of(System.getProperty(VENV_PROPERTY, "target/python-venv")).toAbsolutePath();
        Path marker = home.resolve(MARKER);
        try {
            if (Files.exists(marker) && Files.isExecutable(home.resolve("bin/python"))
                    && Files.readString(marker, StandardCharsets.UTF_8).equals(requirements)) {
                return new PythonEnv(home, requirements);
            }
            deleteTree(home);
            long start = System.nanoTime();
            expectSuccess(TestProcess.run("python3 -m venv", new ProcessBuilder(python.toString(), "-m", "venv",
                    home.toString()), Duration.ofMinutes(2)), "python3 -m venv " + home);
            List<String> pip = new ArrayList<>(List.of(home.resolve("bin/python").toString(), "-m", "pip", "install",
                    "--quiet", "--disable-pip-version-check"));
            pip.addAll(Arrays.asList(requirements.split("\\s+")));
            expectSuccess(TestProcess.run("pip install", new ProcessBuilder(pip), INSTALL_TIMEOUT), String.join(" ", pip));
            Files.writeString(marker, requirements, StandardCharsets.UTF_8);
            System.err.printf("Python environment %s ready (%s) in %.1f s%n", home, requirements,
                    (System.nanoTime() - start) / 1e9);
            return new PythonEnv(home, requirements);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare the Python environment in " + home, e);
        }
    }

    private static void expectSuccess(TestProcess.Result r, String what) {
        if (r.exitCode() != 0) {
            throw new IllegalStateException(what + " failed (exit " + r.exitCode() + "):\n" + r.errText() + r.outText());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
