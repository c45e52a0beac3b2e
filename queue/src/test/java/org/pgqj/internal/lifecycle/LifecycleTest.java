package org.pgqj.internal.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.pgqj.internal.lifecycle.Lifecycle.State;

/** The start/stop rules Worker and Scheduler share, with real threads. */
class LifecycleTest {

    @Test
    void startsOnceAndClosesOnce() {
        Lifecycle lifecycle = new Lifecycle();
        AtomicInteger stops = new AtomicInteger();
        lifecycle.start(() -> { }, s -> new IllegalStateException("already " + s));
        assertEquals(State.RUNNING, lifecycle.state());
        var again = assertThrows(IllegalStateException.class,
                () -> lifecycle.start(() -> { }, s -> new IllegalStateException("already " + s)));
        assertEquals("already RUNNING", again.getMessage());
        assertTrue(lifecycle.close(stops::incrementAndGet));
        assertFalse(lifecycle.close(stops::incrementAndGet), "a second close has nothing to stop");
        assertEquals(1, stops.get());
        assertFalse(lifecycle.startIfNew(() -> { }), "a closed one does not start again");
    }

    @Test
    void aStartThatThrowsLeavesItClosedAndANewOneClosesWithoutStopping() {
        Lifecycle failed = new Lifecycle();
        RuntimeException boom = new RuntimeException("boom");
        assertSame(boom, assertThrows(RuntimeException.class, () -> failed.start(() -> {
            throw boom;
        }, s -> new IllegalStateException())));
        assertEquals(State.CLOSED, failed.state());

        Lifecycle unstarted = new Lifecycle();
        assertFalse(unstarted.close(() -> {
            throw new AssertionError("nothing runs: nothing to stop");
        }));
        assertEquals(State.CLOSED, unstarted.state());
    }

    @Test
    void aSecondCloseReturnsOnlyWhenTheFirstHasStopped() throws Exception {
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.start(() -> { }, s -> new IllegalStateException());
        CountDownLatch stopping = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread first = Thread.ofPlatform().start(() -> lifecycle.close(() -> {
            stopping.countDown();
            await(release);
        }));
        assertTrue(stopping.await(10, TimeUnit.SECONDS));
        assertTrue(lifecycle.isStopping());
        assertTrue(lifecycle.awaitStopping(Duration.ZERO), "a close has begun");
        CountDownLatch secondReturned = new CountDownLatch(1);
        Thread second = Thread.ofPlatform().start(() -> {
            lifecycle.close(() -> {
                throw new AssertionError("the stop runs once");
            });
            secondReturned.countDown();
        });
        assertFalse(secondReturned.await(200, TimeUnit.MILLISECONDS), "the second close waits for the first stop");
        release.countDown();
        assertTrue(secondReturned.await(10, TimeUnit.SECONDS));
        first.join();
        second.join();
        assertEquals(State.CLOSED, lifecycle.state());
        lifecycle.awaitClosed();
    }

    @Test
    void aCloseDuringTheStartWaitsForItThenStops() throws Exception {
        Lifecycle lifecycle = new Lifecycle();
        CountDownLatch starting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger stops = new AtomicInteger();
        Thread starter = Thread.ofPlatform().start(() -> lifecycle.start(() -> {
            starting.countDown();
            await(release);
        }, s -> new IllegalStateException()));
        assertTrue(starting.await(10, TimeUnit.SECONDS));
        assertFalse(lifecycle.awaitStopping(Duration.ofMillis(20)), "starting is not stopping");
        CountDownLatch closed = new CountDownLatch(1);
        Thread.ofPlatform().start(() -> {
            lifecycle.close(stops::incrementAndGet);
            closed.countDown();
        });
        assertFalse(closed.await(200, TimeUnit.MILLISECONDS), "the close waits for the start under way");
        release.countDown();
        assertTrue(closed.await(10, TimeUnit.SECONDS));
        starter.join();
        assertEquals(1, stops.get(), "the started one was stopped");
        assertEquals(State.CLOSED, lifecycle.state());
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
