package org.pgqj.spring.autoconfigure;

import org.pgqj.schedule.Scheduler;
import java.util.Optional;
import org.springframework.context.SmartLifecycle;

/** Starts the scheduler with the context and stops it in the worker's phase (see {@link PgqjWorkerLifecycle}). */
public final class PgqjSchedulerLifecycle implements SmartLifecycle {

    private final Optional<Scheduler> scheduler;
    private volatile boolean running;

    PgqjSchedulerLifecycle(Optional<Scheduler> scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public void start() {
        scheduler.ifPresent(Scheduler::start);
        running = true;
    }

    @Override
    public void stop() {
        scheduler.ifPresent(Scheduler::close);
        running = false;
    }

    @Override
    public void stop(Runnable callback) {
        Thread.ofPlatform().name("pgqj-scheduler-stop").start(() -> {
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
        return PgqjWorkerLifecycle.PHASE;
    }
}
