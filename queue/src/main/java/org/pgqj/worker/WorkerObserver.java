package org.pgqj.worker;

import java.time.Duration;
import java.util.Set;

/**
 * What a worker reports about its own machinery, for metrics: its start, claims, completion writes, the
 * LISTEN connection. Every method has a no-op default; implement the ones you need. Called on the worker's own
 * threads (claim loop, writer, listener): keep it quick and never block. An exception is logged and
 * ignored. Register with {@link WorkerOptions.Builder#observer}.
 */
public interface WorkerObserver {

    /**
     * The worker started, before its first claim: these are the entrypoints it runs (so per-entrypoint meters
     * can exist, at zero, before any job of theirs).
     *
     * @param entrypoints the registered entrypoint names
     */
    default void onStarted(Set<String> entrypoints) {
    }

    /**
     * A claim statement ran.
     *
     * @param requested how many jobs it asked for (the free capacity)
     * @param claimed   how many it got
     * @param took      its round trip
     */
    default void onClaim(int requested, int claimed, Duration took) {
    }

    /**
     * Finished jobs were written (one completion statement, plus one per retry).
     *
     * @param written how many outcomes and retries
     * @param took    the write's round trips
     */
    default void onFlush(int written, Duration took) {
    }

    /** The LISTEN connection is up: the first time, and after every reconnect. */
    default void onListenerConnected() {
    }

    /** The LISTEN connection was lost (the worker polls until it is back). */
    default void onListenerDisconnected() {
    }

    /**
     * The entrypoints this worker does not claim changed: paused on this worker in code ({@link Worker#pause}) or
     * for every Java worker ({@code QueueAdmin.pause}). Called on the claim loop's thread after each change.
     *
     * @param paused the registered entrypoints paused now (empty when all are resumed)
     */
    default void onPausedChanged(Set<String> paused) {
    }
}
