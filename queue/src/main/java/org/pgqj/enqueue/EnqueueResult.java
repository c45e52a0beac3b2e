package org.pgqj.enqueue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of enqueueing a batch: one entry per input job, in input order.
 *
 * @param ids     the new job's id, or empty where the job was skipped ({@link OnConflict#SKIP})
 */
public record EnqueueResult(List<Optional<Long>> ids) {

    /** Copies the list. */
    public EnqueueResult {
        ids = List.copyOf(ids);
    }

    /** Indexes (into the input list) of the jobs that were skipped because their dedupe key was taken. */
    public List<Integer> skippedIndexes() {
        List<Integer> skipped = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (ids.get(i).isEmpty()) {
                skipped.add(i);
            }
        }
        return List.copyOf(skipped);
    }

    /** Ids of the jobs written, in input order, without the skipped ones. */
    public List<Long> writtenIds() {
        return ids.stream().flatMap(Optional::stream).toList();
    }

    /** Whether every job was written. */
    public boolean allWritten() {
        return ids.stream().allMatch(Optional::isPresent);
    }

    /** How many jobs were written. */
    public int writtenCount() {
        return (int) ids.stream().filter(Optional::isPresent).count();
    }
}
