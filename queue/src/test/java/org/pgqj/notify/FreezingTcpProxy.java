package org.pgqj.notify;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder to PostgreSQL for tests that need a connection which stays open but carries no bytes
 * any more, as behind a firewall or NAT that silently dropped its state. {@link #freezeOpenConnections()}
 * black-holes every connection open at that moment (bytes are read and discarded in both directions,
 * no socket is closed); connections accepted afterwards forward normally.
 */
final class FreezingTcpProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;

    FreezingTcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().name("proxy-accept").daemon().start(this::acceptLoop);
    }

    /** The local port to connect to instead of PostgreSQL's. */
    int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    int acceptedConnections() {
        return accepted.get();
    }

    /** From now on, every connection open now forwards nothing; later connections are unaffected. */
    void freezeOpenConnections() {
        for (Link link : links) {
            link.frozen = true;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
                Link link = new Link(client, upstream);
                links.add(link);
                accepted.incrementAndGet();
                Thread.ofPlatform().name("proxy-up").daemon().start(() -> link.pump(client, upstream));
                Thread.ofPlatform().name("proxy-down").daemon().start(() -> link.pump(upstream, client));
            } catch (IOException e) {
                if (!closed) {
                    throw new IllegalStateException("proxy accept failed", e);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Link link : links) {
            link.close();
        }
    }

    /** One proxied connection: the client's socket and ours to the server. */
    private static final class Link {
        private final Socket client;
        private final Socket upstream;
        private volatile boolean frozen;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void pump(Socket from, Socket to) {
            byte[] buffer = new byte[8192];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!frozen) { // frozen: swallow the bytes, answer nothing, close nothing
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // a socket was closed; fall through and close the pair
            }
            close(); // one side is gone: end the other side (and its pump) too, as a real hop would
        }

        void close() {
            try {
                client.close();
            } catch (IOException ignored) {
                // test teardown
            }
            try {
                upstream.close();
            } catch (IOException ignored) {
                // test teardown
            }
        }
    }
}
