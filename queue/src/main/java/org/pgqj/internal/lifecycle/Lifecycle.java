package org.pgqj.internal.lifecycle;

import java.time.Duration;
import java.util.function.Function;

/**
 * The start/stop states of a {@code Worker} or {@code Scheduler}: NEW, STARTING, RUNNING, STOPPING, CLOSED, in
 * that order only. {@link #start} runs once; a start that throws leaves it CLOSED (build a new one). The first
 * {@link #close} of a running one runs the stop; every other close, and {@link #awaitClosed()}, waits until
 * that stop has ended, so no caller returns from close while the shutdown is still under way. A close while
 * starting waits for the start to end first. Thread-safe.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class Lifecycle {

    /** Where it is. */
    public enum State { NEW, STARTING, RUNNING, STOPPING, CLOSED }

    private final Object lock = new Object();
    /** Guarded by {@link #lock}: written by the starting and closing threads, read by any. */
    private State state = State.NEW;

    /**
     * Runs {@code start} (outside the lock) and is RUNNING after it, or CLOSED when it throws (what it opened
     * is its to close). Throws {@code refused}'s exception, naming the state, unless NEW.
     */
    public void start(Runnable start, Function<State, RuntimeException> refused) {
        synchronized (lock) {
            if (state != State.NEW) {
                throw refused.apply(state);
            }
            state = State.STARTING;
        }
        boolean started = false;
        try {
            start.run();
            started = true;
        } finally {
            moveTo(started ? State.RUNNING : State.CLOSED);
        }
    }

    /** Starts as {@link #start} when NEW (after a start under way ends); false when it was not NEW. */
    public boolean startIfNew(Runnable start) {
        synchronized (lock) {
            awaitNotStarting();
            if (state != State.NEW) {
                return false;
            }
        }
        start(start, s -> new IllegalStateException("started concurrently (" + s + ")"));
        return true;
    }

    /**
     * Closes: from RUNNING runs {@code stop} (outside the lock) and returns true once CLOSED; from NEW just
     * becomes CLOSED; while another close runs {@code stop}, waits until it is done (an interrupt ends that
     * wait early, the flag kept); CLOSED returns at once.
     */
    public boolean close(Runnable stop) {
        synchronized (lock) {
            awaitNotStarting();
            switch (state) {
                case NEW -> {
                    moveTo(State.CLOSED);
                    return false;
                }
                case RUNNING -> moveTo(State.STOPPING);
                case STOPPING -> {
                    awaitClosedQuietly();
                    return false;
                }
                default -> {
                    return false;
                }
            }
        }
        try {
            stop.run();
        } finally {
            moveTo(State.CLOSED);
        }
        return true;
    }

    /** The state now. */
    public State state() {
        synchronized (lock) {
            return state;
        }
    }

    /** Whether a close has begun (STOPPING or CLOSED). */
    public boolean isStopping() {
        synchronized (lock) {
            return state.compareTo(State.STOPPING) >= 0;
        }
    }

    /** Waits up to {@code timeout} for a close to begin; true once it has. */
    public boolean awaitStopping(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            long left;
            while (state.compareTo(State.STOPPING) < 0 && (left = deadline - System.nanoTime()) > 0) {
                lock.wait(Math.max(1, left / 1_000_000), 0);
            }
            return state.compareTo(State.STOPPING) >= 0;
        }
    }

    /** Waits until CLOSED. */
    public void awaitClosed() throws InterruptedException {
        synchronized (lock) {
            while (state != State.CLOSED) {
                lock.wait();
            }
        }
    }

    private void moveTo(State next) {
        synchronized (lock) {
            state = next;
            lock.notifyAll();
        }
    }

    /** Holding the lock: waits out a start under way (a start never waits for a close, so this ends). */
    private void awaitNotStarting() {
        boolean interrupted = false;
        while (state == State.STARTING) {
            try {
                lock.wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitClosedQuietly() {
        try {
            while (state != State.CLOSED) {
                lock.wait();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
