package org.pgqj.testing.queue;

import java.util.List;
import java.util.stream.Collectors;
import org.pgqj.core.JobStatus;

/**
 * What a {@link QueueDrainer#drain} ran: each job with where it ended, in id order.
 *
 * @param jobs the jobs that ran (or were retried, canceled or held) during the drain
 */
public record DrainResult(List<RanJob> jobs) {

    /** Copies. */
    public DrainResult {
        jobs = List.copyOf(jobs);
    }

    /**
     * The job with {@code id}.
     *
     * @throws AssertionError when it did not run, listing what did
     */
    public RanJob job(long id) {
        return jobs.stream().filter(j -> j.id() == id).findFirst()
                .orElseThrow(() -> new AssertionError("Job " + id + " did not run during the drain; " + this));
    }

    /** The jobs that ended with {@code status}. */
    public List<RanJob> withStatus(JobStatus status) {
        return jobs.stream().filter(j -> j.status() == status).toList();
    }

    /**
     * That every job that ran succeeded.
     *
     * @return this
     * @throws AssertionError naming the others, with their tracebacks
     */
    public DrainResult requireAllSuccessful() {
        List<RanJob> others = jobs.stream().filter(j -> j.status() != JobStatus.SUCCESSFUL).toList();
        if (!others.isEmpty()) {
            throw new AssertionError("Expected every drained job to succeed; these did not:\n" + others.stream()
                    .map(j -> "  #" + j.id() + " " + j.entrypoint() + " " + j.statuses() + j.traceback().map(t -> " " + t)
                            .orElse(""))
                    .collect(Collectors.joining("\n")));
        }
        return this;
    }

    @Override
    public String toString() {
        return "drained " + jobs.size() + " jobs: " + jobs.stream()
                .map(j -> "#" + j.id() + " " + j.entrypoint() + " " + j.statuses()).collect(Collectors.joining(", "));
    }
}
