package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** WorkerOptions as the one place for interceptors and observers, and toBuilder as a launcher uses it. */
class WorkerOptionsTest {

    @Test
    void toBuilderKeepsEverythingAndAddsAfterIt() {
        JobInterceptor outer = (job, ctx, next) -> next.proceed();
        JobInterceptor inner = (job, ctx, next) -> next.proceed();
        JobInterceptor tenant = (job, ctx, next) -> next.proceed();
        WorkerObserver observer = new WorkerObserver() { };
        WorkerOptions given = WorkerOptions.builder().batchSize(20).heartbeatTimeout(Duration.ofSeconds(7))
                .listen(false).interceptor(outer).interceptor("send", tenant).observer(observer).build();
        WorkerOptions more = given.toBuilder().interceptor(inner).build();
        assertEquals(given.workerId(), more.workerId(), "the same worker");
        assertEquals(20, more.batchSize());
        assertEquals(Duration.ofSeconds(7), more.heartbeatTimeout());
        assertEquals(false, more.listen());
        assertEquals(List.of(outer, inner), more.interceptors(), "added after, so inside, the ones given");
        assertEquals(List.of(tenant), more.entrypointInterceptors().get("send"));
        assertEquals(List.of(observer), more.observers());
        assertEquals(List.of(outer), given.interceptors(), "the options given stay as they were");
    }

    @Test
    void aDefaultMaxBatchSizeStillFollowsTheBatchSizeAfterToBuilder() {
        assertEquals(800, WorkerOptions.defaults().toBuilder().batchSize(800).build().maxBatchSize());
        WorkerOptions fixed = WorkerOptions.builder().maxBatchSize(50).batchSize(50).build();
        WorkerException e = assertThrows(WorkerException.class, () -> fixed.toBuilder().batchSize(60).build());
        assertTrue(e.getMessage().contains("maxBatchSize (50) must be at least batchSize (60)"), e.getMessage());
    }
}
