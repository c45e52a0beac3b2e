package org.pgqj.faults;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's PgBouncer ({@code /usr/sbin/pgbouncer}) as a process of the test's own, in front of a
 * {@link PgCluster}, with its configuration under {@code target/pgbouncer}. Started as a daemon with a
 * pid file; {@link #close()} ends exactly that pid. As root it runs as {@code postgres} (PgBouncer
 * refuses to run as root).
 */
final class PgBouncer implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/pgbouncer");
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Path dir;
    private final int port;

    private PgBouncer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** PgBouncer on {@code port} for database {@code postgres} of {@code cluster}, in {@code poolMode}. */
    static PgBouncer start(PgCluster cluster, int port, String poolMode, int poolSize) throws IOException, InterruptedException {
        Path dir = PgCluster.WORK_DIR.resolve("pgbouncer-" + port);
        Files.createDirectories(dir);
        if (ROOT) {
            run(List.of("chown", "postgres:postgres", PgCluster.WORK_DIR.toString()));
        }
        Files.writeString(dir.resolve("users.txt"), "\"postgres\" \"\"\n");
        Files.writeString(dir.resolve("pgbouncer.ini"), String.join("\n",
                "[databases]",
                "postgres = host=127.0.0.1 port=" + cluster.port() + " dbname=postgres",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + port,
                "unix_socket_dir =",
                "auth_type = trust",
                "auth_file = " + dir.resolve("users.txt"),
                "pool_mode = " + poolMode,
                "default_pool_size = " + poolSize,
                "max_client_conn = 200",
                // pgjdbc sends extra_float_digits at start-up; PgBouncer does not track it
                "ignore_startup_parameters = extra_float_digits",
                "logfile = " + dir.resolve("pgbouncer.log"),
                "pidfile = " + dir.resolve("pgbouncer.pid"),
                "") + "\n");
        if (ROOT) {
            run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
        }
        List<String> cmd = new ArrayList<>();
        if (ROOT) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(List.of(BINARY.toString(), "-d", dir.resolve("pgbouncer.ini").toString()));
        run(cmd);
        PgBouncer b = new PgBouncer(dir, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return b;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    b.close();
                    throw new IOException("PgBouncer did not listen on " + port + ": "
                            + Files.readString(dir.resolve("pgbouncer.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    /** The JDBC URL through PgBouncer: no named server-side statements ({@code prepareThreshold=0}; PgBouncer 1.18 cannot track them). */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&prepareThreshold=0";
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("failed: " + String.join(" ", cmd) + "\n" + out);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Path pidFile = dir.resolve("pgbouncer.pid");
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid).ifPresent(h -> {
                h.destroy();
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        }
    }
}
