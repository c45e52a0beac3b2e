package org.pgqj.web;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.pgqj.admin.StatisticsAggregation;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.testing.Await;
import org.pgqj.testing.PgqueuerEnqueueStatement;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * Rows for the dashboard to show. {@code python*} methods write them with the statements Python pgqueuer sends
 * (CONTRACT §3: the enqueue with its 'queued' log rows, a claim, a held failure with pgqueuer's traceback
 * document, an aggregated statistics row, a schedule row), as plain SQL on purpose: they stand for the other
 * language. {@code java*} methods write through this library's public API and a real worker.
 */
final class Rows {

    private final DataSource dataSource;

    Rows(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Python's enqueue of one job: headers JSON null unless given, the 'queued' log row in the same statement. */
    long pythonEnqueue(String entrypoint, byte[] payload, int priority, String headersJson) {
        return pythonEnqueue(entrypoint, payload, priority, headersJson, Duration.ZERO);
    }

    /** Python's enqueue of one job to run after {@code delay} (pgqueuer's execute_after = now() + delay). */
    long pythonEnqueue(String entrypoint, byte[] payload, int priority, String headersJson, Duration delay) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(PgqueuerEnqueueStatement.SQL)) {
            st.setArray(1, c.createArrayOf("int4", new Object[] {priority}));
            st.setArray(2, c.createArrayOf("text", new Object[] {entrypoint}));
            st.setArray(3, c.createArrayOf("bytea", new byte[][] {payload}));
            st.setArray(4, c.createArrayOf("interval", new Object[] {delay.toSeconds() + " seconds"}));
            st.setArray(5, c.createArrayOf("text", new Object[] {null}));
            st.setArray(6, c.createArrayOf("jsonb", new Object[] {headersJson == null ? "null" : headersJson}));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(2); // (ord, id)
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Python's claim of these jobs by queue manager {@code qm}, with a heartbeat {@code heartbeatAge} old. */
    void pythonPick(UUID qm, Duration heartbeatAge, long... ids) {
        exec("""
                WITH picked AS (UPDATE pgqueuer SET status = 'picked', updated = NOW(), heartbeat = NOW() - ?::interval,
                                queue_manager_id = ? WHERE id = ANY(?) RETURNING id, entrypoint, priority)
                INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority)
                SELECT id, 'picked', entrypoint, priority FROM picked""",
                heartbeatAge.toSeconds() + " seconds", qm, ids);
    }

    /** Python's completion of a picked job as held 'failed' (on_failure=hold), with its traceback document. */
    void pythonHoldFailed(long id, UUID qm, String exceptionType, String message) {
        String traceback = """
                {"job_id": %d, "timestamp": "2026-12-01T12:00:00.000000Z", "exception_type": "%s",
                 "exception_message": "%s",
                 "traceback": "Traceback (most recent call last):\\n  File \\"/app/tasks.py\\", line 12, in run\\n    raise %s(%s)\\n",
                 "additional_context": {"entrypoint": "py", "queue_manager_id": "%s"}}"""
                .formatted(id, exceptionType, message, exceptionType, "'" + message + "'", qm);
        exec("""
                WITH held AS (UPDATE pgqueuer SET status = 'failed', queue_manager_id = NULL, updated = NOW()
                              WHERE id = ? RETURNING id, entrypoint, priority)
                INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority, traceback)
                SELECT id, 'failed', entrypoint, priority, ?::jsonb FROM held""", id, traceback);
    }

    /**
     * {@code n} jobs of {@code entrypoint} that Python pgqueuer ran and held (on_failure=hold) {@code heldAgo} before
     * now, as its statements leave them: the queue row (status failed, queue manager cleared, updated at the hold)
     * and the log rows queued, picked (a second after enqueue) and failed with pgqueuer's traceback document. One
     * statement for all of them. Returns the ids, ascending.
     */
    List<Long> pythonHeldFailures(String entrypoint, String exceptionType, int n, Duration heldAgo) {
        return pythonHeldFailures(entrypoint, exceptionType, n, heldAgo, Duration.ofMillis(n));
    }

    /**
     * As {@link #pythonHeldFailures(String, String, int, Duration)}, the holds spread evenly over {@code spread} before
     * {@code heldAgo}, the later ids held later.
     */
    List<Long> pythonHeldFailures(String entrypoint, String exceptionType, int n, Duration heldAgo, Duration spread) {
        return strings("""
                WITH held AS (
                  INSERT INTO pgqueuer (priority, created, updated, heartbeat, execute_after, status, entrypoint, payload,
                                        headers, attempts)
                  SELECT 0, t - interval '3 seconds', t, t - interval '2 seconds', t - interval '3 seconds', 'failed', ?,
                         convert_to('{"n": ' || g || '}', 'UTF8'), 'null'::jsonb, 0
                  FROM generate_series(1, ?) g, LATERAL (SELECT now() - ?::interval - (? - g) * ?::interval AS t) x
                  RETURNING id, entrypoint, priority, created, updated),
                logged AS (
                  INSERT INTO pgqueuer_log (created, job_id, status, priority, entrypoint, traceback)
                  SELECT v.t, id, v.s::pgqueuer_status, priority, entrypoint, v.tb FROM held CROSS JOIN LATERAL (VALUES
                    (created, 'queued', NULL::jsonb),
                    (created + interval '1 second', 'picked', NULL),
                    (updated, 'failed', jsonb_build_object('job_id', id, 'timestamp', updated, 'exception_type', ?::text,
                       'exception_message', 'job ' || id || ' failed calling https://api.example.com/v2/things',
                       'traceback', 'Traceback (most recent call last):\n  File "/app/tasks.py", line 12, in run\n    return await client.call(payload)\n',
                       'additional_context', jsonb_build_object('entrypoint', entrypoint)))) v(t, s, tb)
                  RETURNING job_id)
                SELECT DISTINCT job_id FROM logged ORDER BY job_id""",
                entrypoint, n, heldAgo.toMillis() + " milliseconds", n, spread.toNanos() / 1000 / Math.max(1, n) + " microseconds",
                exceptionType).stream().map(Long::valueOf).toList();
    }

    /** A statistics row as pgqueuer's aggregation writes it, {@code minutesAgo} before now. */
    void pythonStatistics(String entrypoint, String status, long count, int minutesAgo) {
        exec("""
                INSERT INTO pgqueuer_statistics (count, created, entrypoint, priority, status)
                VALUES (?, date_trunc('sec', NOW() - make_interval(mins => ?)), ?, 0, ?::pgqueuer_status)""",
                count, minutesAgo, entrypoint, status);
    }

    /** A schedule row as pgqueuer's scheduler registers it. */
    void pythonSchedule(String expression, String entrypoint, Duration untilNext, boolean ranBefore) {
        exec("""
                INSERT INTO pgqueuer_schedules (expression, entrypoint, heartbeat, next_run, status, last_run)
                VALUES (?, ?, NOW(), date_trunc('seconds', NOW() + ?::interval), 'queued',
                        CASE WHEN ? THEN NOW() - interval '1 minute' END)""",
                expression, entrypoint, untilNext.toSeconds() + " seconds", ranBefore);
    }

    /** Jobs enqueued through {@link JobQueue}. */
    List<Long> javaEnqueue(QueueTables tables, List<NewJob> jobs) {
        return JobQueue.create(tables).enqueueAll(tables.dsl(dataSource), jobs);
    }

    /** A real worker that fails every job of {@code entrypoint} and holds it (on-failure hold). */
    void javaWorkerHoldsFailures(QueueTables tables, String entrypoint) throws InterruptedException {
        try (Worker w = Worker.builder(dataSource, tables)
                .entrypoint(entrypoint, EntrypointOptions.builder().onFailure(EntrypointOptions.OnFailure.HOLD).build(),
                        (job, ctx) -> {
                            throw new IllegalStateException("java says no to job " + job.id());
                        })
                .options(WorkerOptions.builder().dequeueTimeout(Duration.ofMillis(200)).build())
                .build().start()) {
            Await.until("the worker holds every job of " + entrypoint, Duration.ofSeconds(20),
                    () -> count("SELECT count(*) FROM pgqueuer WHERE entrypoint = ? AND status <> 'failed'", entrypoint) == 0);
        }
    }

    /** Folds the log into statistics, as a worker does every ~30 s. */
    void javaAggregate(QueueTables tables) {
        tables.dsl(dataSource).transaction(cfg -> StatisticsAggregation.of(tables).aggregate(org.jooq.impl.DSL.using(cfg)));
    }

    long count(String query, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = prepare(c, query, args);
             ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(query + ": " + e.getMessage(), e);
        }
    }

    List<String> strings(String query, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = prepare(c, query, args);
             ResultSet rs = st.executeQuery()) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(query + ": " + e.getMessage(), e);
        }
    }

    void exec(String query, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement st = prepare(c, query, args)) {
            st.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(query + ": " + e.getMessage(), e);
        }
    }

    void sql(String statement) {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(statement + ": " + e.getMessage(), e);
        }
    }

    private static PreparedStatement prepare(Connection c, String query, Object... args) throws SQLException {
        PreparedStatement st = c.prepareStatement(query);
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof long[] ids) {
                Object[] boxed = new Object[ids.length];
                for (int k = 0; k < ids.length; k++) {
                    boxed[k] = ids[k];
                }
                Array array = c.createArrayOf("int8", boxed);
                st.setArray(i + 1, array);
            } else {
                st.setObject(i + 1, a);
            }
        }
        return st;
    }
}
