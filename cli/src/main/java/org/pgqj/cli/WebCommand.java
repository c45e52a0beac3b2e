package org.pgqj.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.pgqj.web.Dashboard;
import org.pgqj.web.DashboardServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** The web dashboard on an embedded server, like {@code pgq web}, until SIGTERM or Ctrl-C. */
@Command(name = "web", description = "Serve the web dashboard (overview, jobs, failures, workers, schedules) until stopped. "
        + "HTTP Basic when PGQUEUER_WEB_USER and PGQUEUER_WEB_PASSWORD are set.")
final class WebCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(WebCommand.class);

    @ParentCommand
    PgqjCli root;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "${env:PGQUEUER_WEB_PORT:-8080}",
            description = "TCP port (default: $PGQUEUER_WEB_PORT, else 8080; 0 picks a free one).")
    int port;

    // -h is help, as on every command; --host stays a long alias
    @Option(names = {"--bind", "--host"}, paramLabel = "ADDRESS", defaultValue = "${env:PGQUEUER_WEB_HOST:-127.0.0.1}",
            description = "Address to listen on (default: $PGQUEUER_WEB_HOST, else 127.0.0.1: this machine only). "
                    + "Any other address with actions on and no authentication logs a WARN.")
    String bind;

    @Option(names = "--read-only", description = "Offer no actions (no requeue, no cancel).")
    boolean readOnly;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65_535) {
            throw new CliException("--port must be 0 to 65535 (got " + port + ")");
        }
        Dashboard dashboard = Dashboard.builder(root.installedDataSource(), root.tables())
                .readOnly(readOnly).basicAuthFromEnvironment().build();
        DashboardServer server = DashboardServer.start(dashboard, bind, port);
        boolean auth = isSet("PGQUEUER_WEB_USER") && isSet("PGQUEUER_WEB_PASSWORD"); // as basicAuthFromEnvironment
        if (!readOnly && !auth && !isLoopback(bind)) {
            LOG.warn("The dashboard at {} is bound to {}, reachable from other machines, with actions on and no "
                    + "authentication: anyone who reaches it can cancel and requeue jobs. Set PGQUEUER_WEB_USER and "
                    + "PGQUEUER_WEB_PASSWORD, pass --read-only, or bind 127.0.0.1", server.url(), bind);
        }
        root.spec.commandLine().getErr().println("pgqj web: serving " + server.url() + (readOnly ? " (read-only)" : "")
                + (auth ? " with HTTP Basic" : " without authentication (set PGQUEUER_WEB_USER and PGQUEUER_WEB_PASSWORD)")
                + "; Ctrl-C to stop");
        root.spec.commandLine().getErr().flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "pgqj-web-shutdown"));
        stopped.await();
        return 0;
    }

    private static boolean isSet(String variable) {
        String value = System.getenv(variable);
        return value != null && !value.isEmpty();
    }

    /** Whether only this machine can reach {@code address}; a name that does not resolve counts as reachable. */
    private static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
