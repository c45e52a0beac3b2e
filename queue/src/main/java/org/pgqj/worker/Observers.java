package org.pgqj.worker;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** All of a worker's observers as one; a failing observer is logged and never stops the worker. */
final class Observers implements WorkerObserver {

    private static final Logger LOG = LoggerFactory.getLogger(Observers.class);

    private final List<WorkerObserver> observers;

    Observers(List<WorkerObserver> observers) {
        this.observers = List.copyOf(observers);
    }

    boolean isEmpty() {
        return observers.isEmpty();
    }

    @Override
    public void onStarted(Set<String> entrypoints) {
        each(o -> o.onStarted(entrypoints));
    }

    @Override
    public void onClaim(int requested, int claimed, Duration took) {
        each(o -> o.onClaim(requested, claimed, took));
    }

    @Override
    public void onFlush(int written, Duration took) {
        each(o -> o.onFlush(written, took));
    }

    @Override
    public void onListenerConnected() {
        each(WorkerObserver::onListenerConnected);
    }

    @Override
    public void onListenerDisconnected() {
        each(WorkerObserver::onListenerDisconnected);
    }

    @Override
    public void onPausedChanged(Set<String> paused) {
        each(o -> o.onPausedChanged(paused));
    }

    private void each(Consumer<WorkerObserver> call) {
        for (WorkerObserver o : observers) {
            try {
                call.accept(o);
            } catch (RuntimeException e) {
                LOG.warn("Worker observer {} failed: {}", o, e.toString());
            }
        }
    }
}
