package org.pgqj.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a Prometheus registry as text at {@code GET /metrics} (what {@code pgqj run --metrics-port} starts),
 * on the JDK's own HTTP server. Before each scrape it runs {@code beforeScrape} (e.g.
 * {@link PgqueuerGauges#refresh()}, as pgqueuer reads its gauges per scrape); a failure there is logged and
 * the scrape still answers with the other meters.
 */
public final class MetricsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    /** Prometheus' text exposition format, version 0.0.4. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts serving on {@code port} of all interfaces (0 picks a free port, see {@link #port()}).
     *
     * @throws UncheckedIOException when the port cannot be bound (the message names it)
     */
    public static MetricsServer start(int port, PrometheusMeterRegistry registry, Runnable beforeScrape) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(beforeScrape, "beforeScrape");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("metrics port must be 0..65535, got " + port);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serve metrics on port " + port + ": " + e.getMessage()
                    + " (is it in use? pick another with --metrics-port)", e);
        }
        server.createContext("/metrics", exchange -> scrape(exchange, registry, beforeScrape));
        server.setExecutor(Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("pgqj-metrics-http").daemon().unstarted(r)));
        server.start();
        LOG.info("Serving Prometheus metrics at http://0.0.0.0:{}/metrics", server.getAddress().getPort());
        return new MetricsServer(server);
    }

    private static void scrape(HttpExchange exchange, PrometheusMeterRegistry registry, Runnable beforeScrape)
            throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            try {
                beforeScrape.run();
            } catch (RuntimeException e) {
                LOG.warn("Metrics refresh before scrape failed: {}", e.getMessage());
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(200, "HEAD".equals(exchange.getRequestMethod()) ? -1 : body.length);
            if (!"HEAD".equals(exchange.getRequestMethod())) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** The port served. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops serving. */
    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
