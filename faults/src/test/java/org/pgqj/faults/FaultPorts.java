package org.pgqj.faults;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for the fault suite's own servers (PostgreSQL clusters, PgBouncer). Taken below Linux's ephemeral range
 * (32768 and up by default): a port there is never handed to a client connection as its local port, so one found
 * free stays free until the server binds it. Fixed ports in the ephemeral range were taken by other connections
 * on a busy machine now and then.
 */
final class FaultPorts {

    private static final int LOWEST = 20_000;
    private static final int HIGHEST = 32_000;
    /** Starts at a place of this JVM's own, so two suites on one machine rarely try the same ports. */
    private static final AtomicInteger NEXT =
            new AtomicInteger(LOWEST + (int) (ProcessHandle.current().pid() % (HIGHEST - LOWEST)));

    private FaultPorts() {
    }

    /** A port on 127.0.0.1 that nothing listens on now. */
    static int free() {
        for (int tries = 0; tries <= HIGHEST - LOWEST; tries++) {
            int port = NEXT.getAndUpdate(p -> p >= HIGHEST ? LOWEST : p + 1);
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException inUse) {
                // taken: try the next one
            }
        }
        throw new IllegalStateException("No free port on 127.0.0.1 between " + LOWEST + " and " + HIGHEST
                + " for the fault suite's servers");
    }
}
