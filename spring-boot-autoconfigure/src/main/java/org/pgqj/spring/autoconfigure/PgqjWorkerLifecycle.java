package org.pgqj.spring.autoconfigure;

import org.pgqj.worker.Worker;
import java.util.Optional;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the worker once the context has refreshed (every bean created, both schemas migrated) and
 * stops it gracefully in the phase of the web server's graceful shutdown: it stops claiming at once,
 * and running jobs get up to the worker's shutdown timeout, which defaults to
 * {@code spring.lifecycle.timeout-per-shutdown-phase}. The stop runs on its own thread so the phases of
 * other beans (the web server finishing its requests) proceed in parallel.
 */
public final class PgqjWorkerLifecycle implements SmartLifecycle {

    /** Spring Boot's web-server graceful-shutdown phase ({@code WebServerGracefulShutdownLifecycle}). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

    private final Optional<Worker> worker;
    private volatile boolean running;

    PgqjWorkerLifecycle(Optional<Worker> worker) {
        this.worker = worker;
    }

    @Override
    public void start() {
        worker.ifPresent(Worker::start);
        running = true;
    }

    @Override
    public void stop() {
        worker.ifPresent(Worker::close);
        running = false;
    }

    @Override
    public void stop(Runnable callback) {
        Thread.ofPlatform().name("pgqj-worker-stop").start(() -> {
            try {
                stop();
            } finally {
                callback.run();
            }
        });
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
