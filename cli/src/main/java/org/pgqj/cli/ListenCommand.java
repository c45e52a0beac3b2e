package org.pgqj.cli;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import org.pgqj.internal.listen.ChannelSubscription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Prints every NOTIFY event on the queue's channel, one JSON document per line. */
@Command(name = "listen", description = "Print the NOTIFY events on the queue's channel (one JSON per line) until interrupted.")
final class ListenCommand implements Callable<Integer> {

    @ParentCommand
    PgqjCli root;

    @Option(names = "--channel", paramLabel = "CHANNEL", description = "Channel (default: the install's, e.g. ch_pgqueuer).")
    String channel;

    @Option(names = "--max-events", defaultValue = "0", paramLabel = "N", description = "Exit after N events (0 = never).")
    int maxEvents;

    @Override
    public Integer call() throws SQLException {
        String name = channel == null ? root.tables().channel() : channel;
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new CliException("Invalid channel '" + name + "': use letters, digits and underscores");
        }
        // A connection of its own: LISTEN needs it for as long as we print.
        try (Connection c = root.dataSource().getConnection()) {
            c.setAutoCommit(true);
            try (ChannelSubscription events = ChannelSubscription.listen(c, name)) {
                root.spec.commandLine().getErr().println("listening on " + name + " (Ctrl-C to stop)");
                int seen = 0;
                while (maxEvents == 0 || seen < maxEvents) {
                    for (String payload : events.read(1000)) {
                        root.out().println(payload);
                        root.out().flush();
                        seen++;
                    }
                }
            }
        }
        return 0;
    }
}
