package org.pgqj.web;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.pgqj.core.PgqjException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Dashboard} on an embedded Jetty 12 of its own ({@code pgqj web}). Needs
 * {@code org.eclipse.jetty.ee10:jetty-ee10-servlet} on the class path (an optional dependency of this module:
 * an application that mounts the servlet in its own container does not need it).
 */
public final class DashboardServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final Dashboard dashboard;
    private final Server server;
    private final ServerConnector connector;

    private DashboardServer(Dashboard dashboard, Server server, ServerConnector connector) {
        this.dashboard = dashboard;
        this.server = server;
        this.connector = connector;
    }

    /**
     * Serves {@code dashboard} at the root of {@code http://bind:port/} and returns once it accepts connections.
     *
     * @param bind the address to listen on; {@code 127.0.0.1} keeps it to this machine
     * @param port the TCP port; 0 picks a free one (see {@link #port()})
     * @throws PgqjException when the port cannot be bound
     */
    public static DashboardServer start(Dashboard dashboard, String bind, int port) {
        Objects.requireNonNull(dashboard, "dashboard");
        Objects.requireNonNull(bind, "bind");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535 (got " + port + ")");
        }
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(bind);
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder holder = new ServletHolder("pgqj-dashboard", dashboard);
        holder.setAsyncSupported(true); // server-sent events
        holder.setInitOrder(0); // init (and LISTEN) at start, not at the first request
        context.addServlet(holder, "/*");
        server.setHandler(context);
        server.setStopTimeout(STOP_TIMEOUT.toMillis());
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // the start failure is the news
            }
            throw new PgqjException("Cannot serve the dashboard on " + bind + ":" + port + ": " + e.getMessage(), e);
        }
        DashboardServer started = new DashboardServer(dashboard, server, connector);
        LOG.info("pgqj dashboard listening on {}", started.url());
        return started;
    }

    /** The port it listens on. */
    public int port() {
        return connector.getLocalPort();
    }

    /** The dashboard's URL, e.g. {@code http://127.0.0.1:8080/}. */
    public String url() {
        String host = connector.getHost() == null ? "0.0.0.0" : connector.getHost();
        String shown = new InetSocketAddress(host, port()).getAddress() instanceof java.net.Inet6Address
                ? "[" + host + "]" : host;
        return "http://" + shown + ":" + port() + "/";
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    /** Stops accepting, ends open event streams and stops the dashboard's LISTEN. */
    @Override
    public void close() {
        // event streams never end by themselves: end them first, so the graceful stop waits only for page requests
        dashboard.destroy();
        try {
            server.stop();
        } catch (Exception e) {
            throw new PgqjException("Stopping the dashboard server failed: " + e.getMessage(), e);
        }
    }
}
