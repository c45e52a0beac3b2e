package org.pgqj.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Heap and GC around one measured run: heap used before and after (each after a {@code System.gc()}),
 * GC time and count during the run, and once a second the heap left after the last collection, so a
 * leak over a long drain shows as a rising line.
 */
final class JvmStats implements AutoCloseable {

    private static final long SAMPLE_MILLIS = 1_000;

    private final long heapBefore;
    private final long gcMillisBefore;
    private final long gcCountBefore;
    private final long cpuNanosBefore;
    private final double loadBefore;
    private final List<Long> afterGcSamples = new ArrayList<>();
    private final Thread sampler;
    private volatile boolean stop;
    private Map<String, Object> result;

    private JvmStats() {
        heapBefore = heapUsedAfterGc();
        gcMillisBefore = gcMillis();
        gcCountBefore = gcCount();
        cpuNanosBefore = cpuNanos();
        loadBefore = load();
        sampler = Thread.ofPlatform().daemon().name("pgqj-bench-heap").start(this::sample);
    }

    /** Starts measuring (collects garbage first). */
    static JvmStats start() {
        return new JvmStats();
    }

    private void sample() {
        while (!stop) {
            try {
                Thread.sleep(SAMPLE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (afterGcSamples) {
                afterGcSamples.add(heapAfterLastCollection());
            }
        }
    }

    /** Stops measuring (collects garbage again) and returns the figures. */
    Map<String, Object> finish() {
        if (result != null) {
            return result;
        }
        stop = true;
        sampler.interrupt();
        long gcMillis = gcMillis() - gcMillisBefore;
        long gcCount = gcCount() - gcCountBefore;
        double loadAfter = load();
        long heapAfter = heapUsedAfterGc();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("heap_used_before_bytes", heapBefore);
        m.put("heap_used_after_bytes", heapAfter);
        m.put("heap_growth_bytes", heapAfter - heapBefore);
        m.put("gc_time_ms", gcMillis);
        m.put("gc_count", gcCount);
        m.put("cpu_ms", (cpuNanos() - cpuNanosBefore) / 1_000_000);
        synchronized (afterGcSamples) {
            m.put("heap_after_last_gc_samples_bytes", List.copyOf(afterGcSamples));
        }
        m.put("load_average_before", loadBefore);
        m.put("load_average_after", loadAfter);
        result = m;
        return m;
    }

    @Override
    public void close() {
        finish();
    }

    /** The system's 1-minute load average (as {@code uptime} shows); -1 where unknown. */
    static double load() {
        return Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0;
    }

    private static long heapUsedAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Heap in use right after the most recent collection of each heap pool (no collection forced). */
    private static long heapAfterLastCollection() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage u = pool.getCollectionUsage();
            if (pool.getType() == MemoryType.HEAP && u != null) {
                sum += u.getUsed();
            }
        }
        return sum;
    }

    /** CPU time of this JVM so far (every thread), where the platform tells; else 0. */
    private static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? Math.max(0, os.getProcessCpuTime()) : 0;
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    private static long gcCount() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionCount());
        }
        return sum;
    }
}
