package org.pgqj.interop;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.TestProcess;

/**
 * A Python pgqueuer QueueManager in its own process (pgq_interop.py work), with what its handlers printed.
 * Its dequeue timeout is long (10 min) unless set: it must be woken by NOTIFY, as in production.
 */
final class PythonWorker implements AutoCloseable {

    private final TestProcess process;

    private PythonWorker(TestProcess process) {
        this.process = process;
    }

    /** Entrypoint settings as the script reads them (name, concurrency_limit, mode, sleep_ms, on_failure, ...). */
    static Map<String, Object> entrypoint(String name, Object... settings) {
        Map<String, Object> ep = new HashMap<>();
        ep.put("name", name);
        for (int i = 0; i < settings.length; i += 2) {
            ep.put((String) settings[i], settings[i + 1]);
        }
        return ep;
    }

    /**
     * Starts a worker and returns once it has run a warm-up job (entrypoint {@code warmup}, enqueued from
     * Java): its listener is up then, and the figures measure a running worker.
     */
    static PythonWorker start(TestDatabase db, List<Map<String, Object>> entrypoints, Consumer<Map<String, Object>> config) {
        Map<String, Object> c = new HashMap<>();
        List<Map<String, Object>> all = new java.util.ArrayList<>(entrypoints);
        String warmup = "warmup_py_" + java.util.UUID.randomUUID();
        all.add(entrypoint(warmup));
        c.put("entrypoints", all);
        c.put("dequeue_timeout_s", 600);
        config.accept(c);
        c.computeIfPresent("max_jobs", (k, v) -> ((Integer) v) + 1); // the warm-up job counts too
        TestProcess p = Interop.startPython(db, "work", "--config", Interop.json(c));
        PythonWorker w = new PythonWorker(p);
        Interop.await(p, "ready", 1, Duration.ofSeconds(60));
        org.pgqj.enqueue.JobQueue.create(org.pgqj.core.QueueTables.defaults())
                .enqueue(Interop.dsl(db), org.pgqj.enqueue.NewJob.of(warmup, new byte[0]));
        Interop.await(p, "end", 1, Duration.ofSeconds(60));
        return w;
    }

    static PythonWorker start(TestDatabase db, List<Map<String, Object>> entrypoints) {
        return start(db, entrypoints, c -> { });
    }

    /** Waits until {@code count} jobs started here (counting repeats). */
    List<JsonNode> awaitStarts(int count, Duration timeout) {
        return Interop.await(process, "start", count + 1, timeout).stream().filter(PythonWorker::notWarmup).toList();
    }

    private static boolean notWarmup(JsonNode e) {
        return !e.path("entrypoint").asText().startsWith("warmup_");
    }

    List<JsonNode> awaitEvents(String type, int count, Duration timeout) {
        return Interop.await(process, type, count, timeout);
    }

    List<JsonNode> starts() {
        return Interop.events(process, "start").stream().filter(PythonWorker::notWarmup).toList();
    }

    List<JsonNode> events(String type) {
        return Interop.events(process, type);
    }

    /** The start events by job id (the last one when a job started twice; see {@link #twice()}). */
    Map<Long, JsonNode> startsById() {
        Map<Long, JsonNode> byId = new HashMap<>();
        starts().forEach(e -> byId.put(e.get("id").asLong(), e));
        return byId;
    }

    /** Job ids that started more than once here. */
    long twice() {
        return starts().size() - startsById().size();
    }

    /** Waits for the process to end by itself (max_jobs reached). */
    TestProcess.Result finish(Duration timeout) {
        return process.finish(timeout);
    }

    /** SIGTERM: the worker stops gracefully; fails when it does not exit cleanly. */
    TestProcess.Result stop() {
        return process.stop(Duration.ofSeconds(30));
    }

    @Override
    public void close() {
        process.close();
    }
}
