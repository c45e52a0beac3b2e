package org.pgqj.spring.autoconfigure;

import java.util.Optional;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the worker (or the scheduler) once the context has refreshed (every bean created, both schemas
 * migrated) and stops it gracefully in the phase of the web server's graceful shutdown: it stops
 * claiming at once, and running jobs get up to its shutdown timeout, which defaults to
 * {@code spring.lifecycle.timeout-per-shutdown-phase} minus a margin
 * ({@link PgqjProperties.Worker#defaultShutdownTimeout}), so the stop ends inside the phase. The stop runs on its own thread so the other
 * members of the phase (the web server finishing its requests) drain in parallel.
 */
public final class PgqjLifecycle implements SmartLifecycle {

    /** Spring Boot's web-server graceful-shutdown phase ({@code WebServerGracefulShutdownLifecycle}). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

    /** What is started and stopped: a Worker's or a Scheduler's start and close. */
    record Managed(String name, Runnable start, Runnable stop) {
    }

    private final Optional<Managed> managed;
    private volatile boolean running;

    PgqjLifecycle(Optional<Managed> managed) {
        this.managed = managed;
    }

    @Override
    public void start() {
        managed.ifPresent(m -> m.start().run());
        running = true;
    }

    @Override
    public void stop() {
        managed.ifPresent(m -> m.stop().run());
        running = false;
    }

    @Override
    public void stop(Runnable callback) {
        String name = managed.map(Managed::name).orElse("nothing");
        Thread.ofPlatform().name("pgqj-" + name + "-stop").start(() -> {
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
