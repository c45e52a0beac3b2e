/** Micrometer meters of the worker and pgqueuer's Prometheus gauges. */
module org.pgqj.metrics {
    requires transitive org.pgqj.queue;
    requires transitive micrometer.core;
    requires transitive micrometer.registry.prometheus;
    requires jdk.httpserver;
    requires org.slf4j;

    exports org.pgqj.metrics;
}
