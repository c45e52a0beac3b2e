package org.pgqj.worker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.pgqj.core.Job;

/**
 * The jobs this worker owns: running here, or finished with the outcome not yet committed (in one of the
 * outcome buffers). The claim's stale re-pick never takes them back from this worker, and the housekeeping
 * keeps their heartbeat fresh. An id is added where it goes before it leaves where it was (its buffer before
 * {@link #running}; the writer's buffer before the claim loop's, when the claim loop hands outcomes over), and
 * {@link #ids()} reads in the same order, so it never misses one.
 */
final class OwnedJobs {

    /** By id: put by the claim loop (start), removed by the job's thread (end); read by the listener, claim loop and writer. */
    private final ConcurrentHashMap<Long, JobContext> running = new ConcurrentHashMap<>();
    private final List<OutcomeBuffer> buffers;

    /** {@code buffers} in the order outcomes move between them: the claim loop's, then the writer's. */
    OwnedJobs(List<OutcomeBuffer> buffers) {
        this.buffers = List.copyOf(buffers);
    }

    void started(long id, JobContext context) {
        running.put(id, context);
    }

    void ended(long id) {
        running.remove(id);
    }

    /** Cancels a job running here; false when it does not run here. */
    boolean cancel(long id) {
        JobContext context = running.get(id);
        if (context == null) {
            return false;
        }
        context.cancel();
        return true;
    }

    /** The jobs running here, by id. */
    List<Job> running() {
        return running.values().stream().map(JobContext::job).sorted(Comparator.comparingLong(Job::id)).toList();
    }

    /** Cancels every job still running here (shutdown after its timeout). */
    void cancelAll() {
        running.values().forEach(JobContext::cancel);
    }

    /** Every owned id (running, or finished and unwritten), for the claim and the heartbeat. */
    Long[] ids() {
        List<Long> ids = new ArrayList<>(running.keySet());
        buffers.forEach(b -> ids.addAll(b.unwritten()));
        return ids.toArray(Long[]::new);
    }

    /** Finished jobs whose outcome is not yet committed. */
    int unwritten() {
        return buffers.stream().mapToInt(b -> b.unwritten().size()).sum();
    }

    /** Whether a retry is not yet committed: its job is queued work this worker has not put back yet. */
    boolean hasPendingRetries() {
        return buffers.stream().anyMatch(OutcomeBuffer::hasPendingRetries);
    }
}
