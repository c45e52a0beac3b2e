package org.pgqj.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A PostgreSQL 15 cluster of the fault suite's own, made with Debian's server binaries
 * ({@code initdb}/{@code pg_ctl}) in a directory of its own ({@link #WORK_DIR}), so a test can restart it,
 * crash it ({@code -m immediate}) or fail it over to a streaming standby without touching the shared
 * server. As root the server runs as user {@code postgres} (PostgreSQL refuses to run as root).
 * {@link #close()} stops it and deletes its directory.
 */
final class PgCluster implements AutoCloseable {

    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    /**
     * Where clusters and PgBouncer configurations live. As root the servers run as {@code postgres}, which must
     * reach the directory: a clone under a private folder would not let it, so root uses the system temp
     * directory; anyone else keeps them under {@code target}.
     */
    static final Path WORK_DIR = ROOT
            ? Path.of(System.getProperty("java.io.tmpdir"), "pgqj-faults-" + ProcessHandle.current().pid())
            : Path.of("target", "clusters").toAbsolutePath();

    private final String name;
    private final int port;
    private final Path dir;
    private final Path log;

    private PgCluster(String name, int port, Path dir) {
        this.name = name;
        this.port = port;
        this.dir = dir;
        this.log = dir.resolveSibling(name + ".log");
    }

    /** Whether the PostgreSQL 15 server binaries this suite needs are installed. */
    static boolean available() {
        return Files.isExecutable(BIN.resolve("initdb")) && Files.isExecutable(BIN.resolve("pg_ctl"))
                && Files.isExecutable(BIN.resolve("postgres")) && Files.isExecutable(BIN.resolve("pg_basebackup"));
    }

    /** A fresh primary on {@code port} with the given extra settings ({@code key = value} lines); started. */
    static PgCluster primary(String name, int port, String... settings) throws IOException, InterruptedException {
        Path dir = prepare(name);
        run(List.of(BIN.resolve("initdb").toString(), "-D", dir.toString(), "-U", "postgres", "--auth=trust",
                "-E", "UTF8", "--no-sync", "--no-instructions"));
        PgCluster c = new PgCluster(name, port, dir);
        List<String> conf = new ArrayList<>(List.of(
                "port = " + port,
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = '/tmp'",
                // no OS crash is simulated: a killed server's WAL is still in the page cache
                "fsync = off",
                "shared_buffers = '32MB'",
                "wal_level = replica",
                "max_wal_senders = 5",
                "hot_standby = on",
                "log_min_messages = warning"));
        conf.addAll(List.of(settings));
        c.appendConf("postgresql.conf", conf);
        c.start();
        return c;
    }

    /**
     * A streaming standby of {@code primary} ({@code pg_basebackup -R}) on {@code port}, connecting with
     * {@code application_name = name} (what {@code synchronous_standby_names} names); started.
     */
    static PgCluster standbyOf(PgCluster primary, String name, int port) throws IOException, InterruptedException {
        Path dir = prepare(name);
        Files.delete(dir); // pg_basebackup wants to create it (or find it empty and owned by its user)
        run(List.of(BIN.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p", String.valueOf(primary.port),
                "-U", "postgres", "-D", dir.toString(), "-R", "-X", "stream", "--no-sync", "--checkpoint=fast"));
        PgCluster c = new PgCluster(name, port, dir);
        c.appendConf("postgresql.auto.conf", List.of(
                "port = " + port,
                "primary_conninfo = 'host=127.0.0.1 port=" + primary.port + " user=postgres application_name=" + name + "'",
                // once promoted it has no standby of its own: waiting for one would hang every commit
                "synchronous_standby_names = ''"));
        c.start();
        return c;
    }

    private static Path prepare(String name) throws IOException, InterruptedException {
        Path base = WORK_DIR;
        Files.createDirectories(base);
        Path dir = base.resolve(name);
        deleteTree(dir);
        deleteTree(base.resolve(name + ".log"));
        Files.createDirectories(dir);
        if (ROOT) {
            run(List.of("chown", "postgres:postgres", base.toString(), dir.toString()), false);
            run(List.of("chmod", "700", dir.toString()), false);
        }
        return dir;
    }

    int port() {
        return port;
    }

    String name() {
        return name;
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/postgres?user=postgres}. */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    PGSimpleDataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl());
        ds.setConnectTimeout(5);
        return ds;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    void start() throws IOException, InterruptedException {
        pgCtl("start", "-w", "-t", "60", "-l", log.toString());
    }

    /** {@code pg_ctl stop -m fast}: clients are disconnected, a clean shutdown checkpoint is written. */
    void stopFast() throws IOException, InterruptedException {
        pgCtl("stop", "-w", "-m", "fast");
    }

    /** {@code pg_ctl stop -m immediate}: the postmaster kills every backend at once, like a crash; restart recovers from WAL. */
    void crash() throws IOException, InterruptedException {
        pgCtl("stop", "-w", "-m", "immediate");
    }

    void restartFast() throws IOException, InterruptedException {
        pgCtl("restart", "-w", "-t", "60", "-m", "fast", "-l", log.toString());
    }

    void promote() throws IOException, InterruptedException {
        pgCtl("promote", "-w", "-t", "60");
    }

    private void pgCtl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.toString()));
        cmd.addAll(List.of(args));
        run(cmd);
    }

    private void appendConf(String file, List<String> lines) throws IOException, InterruptedException {
        Path f = dir.resolve(file);
        // written through the server's user: the data directory is not readable by anyone else
        String text = String.join("\n", lines) + "\n";
        List<String> cmd = asServerUser(List.of("sh", "-c", "cat >> \"$0\"", f.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("could not write " + f + ": " + out);
        }
    }

    private static List<String> asServerUser(List<String> cmd) {
        if (!ROOT) {
            return cmd;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        wrapped.addAll(cmd);
        return wrapped;
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        run(cmd, true);
    }

    private static void run(List<String> cmd, boolean asServer) throws IOException, InterruptedException {
        List<String> full = asServer ? asServerUser(cmd) : cmd;
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", full));
        }
        if (p.exitValue() != 0) {
            throw new IOException("failed (" + p.exitValue() + "): " + String.join(" ", full) + "\n" + out);
        }
    }

    /** Stops the server at once (if running) and deletes its directory. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            pgCtl("stop", "-w", "-m", "immediate");
        } catch (IOException notRunning) {
            // already stopped (crashed on purpose, or never started)
        }
        deleteTree(dir);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    @Override
    public String toString() {
        return name + "@" + port;
    }
}
