package org.pgqj.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.pgqj.core.Job;

/** What a Java handler saw: every start of every job id, with its wall-clock time. */
final class Runs {

    record Start(Job job, long micros) {
    }

    private final Map<Long, List<Start>> starts = new ConcurrentHashMap<>();

    /** Call first thing in a handler. */
    void started(Job job) {
        starts.computeIfAbsent(job.id(), id -> java.util.Collections.synchronizedList(new ArrayList<>()))
                .add(new Start(job, Interop.nowMicros()));
        synchronized (this) {
            notifyAll();
        }
    }

    /** Distinct job ids started. */
    int distinct() {
        return starts.size();
    }

    /** Ids started more than once. */
    long twice() {
        return starts.values().stream().filter(l -> l.size() > 1).count();
    }

    Start first(long id) {
        List<Start> l = starts.get(id);
        if (l == null) {
            throw new AssertionError("job " + id + " never started on the Java side");
        }
        return l.getFirst();
    }

    boolean ran(long id) {
        return starts.containsKey(id);
    }

    List<Start> all(long id) {
        return List.copyOf(starts.getOrDefault(id, List.of()));
    }

    /** Waits until {@code count} distinct ids started. */
    synchronized void awaitDistinct(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (starts.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(starts.size() + " of " + count + " jobs started on the Java side after "
                        + timeout.toMillis() + " ms");
            }
            wait(Math.max(1, Math.min(left / 1_000_000, 200)));
        }
    }
}
