package org.pgqj.spring.autoconfigure;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.pgqj.metrics.PgqueuerGauges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps pgqueuer's database gauges current while the context runs: pgqueuer reads them on each scrape,
 * but a registry in a Spring app is scraped by Actuator, which has no hook before a scrape, so they are
 * read on a timer instead (one short query on the queue table and one on the statistics table).
 */
public final class PgqjDatabaseGauges implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PgqjDatabaseGauges.class);

    private final PgqueuerGauges gauges;
    private final Duration interval;
    private volatile ScheduledExecutorService timer;
    private volatile boolean failing;

    PgqjDatabaseGauges(PgqueuerGauges gauges, Duration interval) {
        this.gauges = gauges;
        this.interval = interval;
    }

    /** Reads the gauges now; a failure is logged (once per run of failures) and the gauges keep their values. */
    public void refresh() {
        try {
            gauges.refresh();
            if (failing) {
                failing = false;
                LOG.info("pgqueuer gauges are read again");
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.warn("pgqueuer gauges could not be read (keeping the last values, retrying every {}): {}",
                        interval, e.getMessage());
            }
        }
    }

    @Override
    public void start() {
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("pgqj-metrics-gauges").daemon().unstarted(r));
        t.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        timer = t;
    }

    @Override
    public void stop() {
        ScheduledExecutorService t = timer;
        timer = null;
        if (t != null) {
            t.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return timer != null;
    }
}
