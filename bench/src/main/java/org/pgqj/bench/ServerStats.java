package org.pgqj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * What the server did during one measured window, per job: WAL bytes and records ({@code pg_current_wal_lsn},
 * {@code pg_stat_wal}; the whole server's, so run on a server nothing else writes to), with
 * {@code pg_stat_statements} in the database the calls and execution time of the statements on the
 * benchmark's own tables (their text names its schema), grouped by kind, and when the server runs on this
 * machine the CPU time all its processes used (from {@code /proc}: every child of the postmaster, and what the
 * exited ones left in its {@code cutime}), which a loaded machine inflates far less than it does wall time.
 *
 * <p>Every statement here reads the server's statistics views, not the queue tables, so it is plain SQL.
 */
final class ServerStats {

    /** A statement kind, recognised by a fragment of its text (first match wins). */
    private record Kind(String name, Predicate<String> matches) {
    }

    private static final List<Kind> KINDS = List.of(
            new Kind("claim", q -> q.contains("\"log_pick\"")),
            new Kind("complete", q -> q.contains("delete from") && q.contains("\"deleted\"")),
            new Kind("retry", q -> q.contains("'queued'") && q.contains("\"attempts\" =")),
            new Kind("heartbeat", q -> q.contains("set \"heartbeat\" =")),
            new Kind("next_eligible", q -> q.contains("min(") && q.contains("execute_after")),
            new Kind("enqueue", q -> q.contains("insert into") && q.contains("\"payload\"")),
            new Kind("statistics", q -> q.contains("pgqueuer_statistics")));

    private final DataSource dataSource;
    private final String schema;
    private final boolean statements;
    private final boolean statWal;
    private final long postmaster;
    private final Snapshot before;

    private record Snapshot(String lsn, long walRecords, long walFpi, Map<Long, Call> calls, long cpuTicks) {
    }

    private record Call(String query, long calls, long rows, double millis) {
    }

    private ServerStats(DataSource dataSource, String schema) throws SQLException {
        this.dataSource = dataSource;
        this.schema = schema;
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            int version;
            try (ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int")) {
                rs.next();
                version = rs.getInt(1);
            }
            this.statWal = version >= 140_000;
            this.statements = version >= 140_000 && statementsReadable(st);
            try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                this.postmaster = parentOf(rs.getInt(1));
            }
        }
        this.before = snapshot();
    }

    /** Starts a window on the database of {@code dataSource}, counting statements that name {@code schema}. */
    static ServerStats start(DataSource dataSource, String schema) throws SQLException {
        return new ServerStats(dataSource, schema);
    }

    private static boolean statementsReadable(Statement st) {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'")) {
            rs.next();
            if (rs.getInt(1) == 0) {
                return false;
            }
        } catch (SQLException e) {
            return false;
        }
        try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_stat_statements LIMIT 1")) {
            return true;
        } catch (SQLException e) {
            return false; // installed, but not in shared_preload_libraries
        }
    }

    private Snapshot snapshot() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            String lsn;
            long records = 0;
            long fpi = 0;
            try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                rs.next();
                lsn = rs.getString(1);
            }
            if (statWal) {
                try (ResultSet rs = st.executeQuery("SELECT wal_records, wal_fpi FROM pg_stat_wal")) {
                    rs.next();
                    records = rs.getLong(1);
                    fpi = rs.getLong(2);
                }
            }
            Map<Long, Call> calls = new HashMap<>();
            if (statements) {
                try (PreparedStatement ps = c.prepareStatement("SELECT queryid, calls, rows, total_exec_time, query"
                        + " FROM pg_stat_statements WHERE toplevel AND strpos(query, ?) > 0"
                        + " AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
                    ps.setString(1, schema);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            calls.merge(rs.getLong(1), new Call(rs.getString(5), rs.getLong(2), rs.getLong(3), rs.getDouble(4)),
                                    (a, b) -> new Call(a.query, a.calls + b.calls, a.rows + b.rows, a.millis + b.millis));
                        }
                    }
                }
            }
            return new Snapshot(lsn, records, fpi, calls, serverCpuTicks());
        }
    }

    /** Linux's USER_HZ, the unit of the CPU times in {@code /proc/<pid>/stat}. */
    private static final double TICKS_PER_SECOND = 100;

    /** The fields of {@code /proc/<pid>/stat} after the command name: [0] state, [1] ppid, [11] utime ... [14] cstime. */
    private static String[] stat(long pid) {
        try {
            String text = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return text.substring(text.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The postmaster of backend {@code pid} when the server runs on this machine (a postgres process); else 0. */
    private static long parentOf(int backend) {
        String[] s = stat(backend);
        try {
            if (s == null || !Files.readString(Path.of("/proc", String.valueOf(backend), "comm")).strip().equals("postgres")) {
                return 0;
            }
        } catch (IOException e) {
            return 0;
        }
        return Long.parseLong(s[1]);
    }

    /** CPU ticks of the postmaster, its live children and its exited ones; -1 when the server is not local. */
    private long serverCpuTicks() {
        if (postmaster == 0) {
            return -1;
        }
        String[] pm = stat(postmaster);
        if (pm == null) {
            return -1;
        }
        long ticks = Long.parseLong(pm[11]) + Long.parseLong(pm[12]) + Long.parseLong(pm[13]) + Long.parseLong(pm[14]);
        try (var dirs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path dir : dirs) {
                String[] s = stat(Long.parseLong(dir.getFileName().toString()));
                if (s != null && Long.parseLong(s[1]) == postmaster) {
                    ticks += Long.parseLong(s[11]) + Long.parseLong(s[12]);
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return ticks;
    }

    /** Ends the window: the figures per job of {@code jobs}. */
    Map<String, Object> finish(long jobs) throws SQLException {
        Snapshot after = snapshot();
        Map<String, Object> m = new LinkedHashMap<>();
        long walBytes;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT pg_wal_lsn_diff(?::pg_lsn, ?::pg_lsn)::bigint")) {
            ps.setString(1, after.lsn);
            ps.setString(2, before.lsn);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                walBytes = rs.getLong(1);
            }
        }
        double perJob = Math.max(1, jobs);
        m.put("wal_bytes", walBytes);
        m.put("wal_bytes_per_job", walBytes / perJob);
        if (statWal) {
            m.put("wal_records_per_job", (after.walRecords - before.walRecords) / perJob);
            m.put("wal_full_page_images", after.walFpi - before.walFpi);
        }
        if (before.cpuTicks >= 0 && after.cpuTicks >= 0) {
            m.put("server_cpu_us_per_job", (after.cpuTicks - before.cpuTicks) / TICKS_PER_SECOND * 1e6 / perJob);
        }
        if (!statements) {
            m.put("statements", "unavailable (pg_stat_statements is not installed in this database or not preloaded)");
            return m;
        }
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, double[]> millis = new TreeMap<>();
        long total = 0;
        double totalMillis = 0;
        for (Map.Entry<Long, Call> e : after.calls.entrySet()) {
            Call was = before.calls.getOrDefault(e.getKey(), new Call(e.getValue().query, 0, 0, 0));
            long calls = e.getValue().calls - was.calls;
            if (calls <= 0) {
                continue;
            }
            String kind = kind(e.getValue().query);
            long[] c = counts.computeIfAbsent(kind, k -> new long[2]);
            c[0] += calls;
            c[1] += e.getValue().rows - was.rows;
            millis.computeIfAbsent(kind, k -> new double[1])[0] += e.getValue().millis - was.millis;
            total += calls;
            totalMillis += e.getValue().millis - was.millis;
        }
        m.put("statements_per_job", total / perJob);
        m.put("statement_us_per_job", totalMillis * 1000 / perJob);
        Map<String, Object> byKind = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("calls", e.getValue()[0]);
            k.put("rows", e.getValue()[1]);
            k.put("per_job", e.getValue()[0] / perJob);
            k.put("us_per_job", millis.get(e.getKey())[0] * 1000 / perJob);
            k.put("ms_per_call", millis.get(e.getKey())[0] / e.getValue()[0]);
            byKind.put(e.getKey(), k);
        }
        m.put("statements", byKind);
        return m;
    }

    private static String kind(String query) {
        String q = query.toLowerCase(Locale.ROOT);
        for (Kind k : KINDS) {
            if (k.matches.test(q)) {
                return k.name;
            }
        }
        return "other";
    }

    /** One line for the summary: WAL and statements per job. */
    @SuppressWarnings("unchecked")
    static String line(Map<String, Object> server) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "WAL %,.0f B/job", server.get("wal_bytes_per_job")));
        if (server.get("wal_records_per_job") instanceof Double records) {
            s.append(String.format(Locale.ROOT, " (%.1f records)", records));
        }
        if (server.get("server_cpu_us_per_job") instanceof Double cpu) {
            s.append(String.format(Locale.ROOT, "; PostgreSQL CPU %.1f us/job", cpu));
        }
        if (server.get("statements") instanceof Map<?, ?> byKind) {
            s.append(String.format(Locale.ROOT, "; %.4f statements/job, %.1f us of PostgreSQL/job:",
                    server.get("statements_per_job"), server.get("statement_us_per_job")));
            for (Map.Entry<String, Object> e : ((Map<String, Object>) byKind).entrySet()) {
                Map<String, Object> k = (Map<String, Object>) e.getValue();
                s.append(String.format(Locale.ROOT, " %s %.4f/job %.2f ms/call;", e.getKey(), k.get("per_job"), k.get("ms_per_call")));
            }
            s.setLength(s.length() - 1);
        } else {
            s.append("; statements: ").append(server.get("statements"));
        }
        return s.toString();
    }
}
