package org.pgqj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pgqj.worker.FailureLogging;
import picocli.CommandLine;

/** {@code pgqj run --failure-log-*}: parsed as the command line runs them, into the worker's FailureLogging. */
class RunFailureLogOptionsTest {

    private static RunCommand parse(String... options) {
        CommandLine cli = PgqjCli.commandLine();
        String[] args = new String[options.length + 2];
        args[0] = "run";
        System.arraycopy(options, 0, args, 1, options.length);
        args[args.length - 1] = "com.example.Factory";
        CommandLine.ParseResult parsed = cli.parseArgs(args);
        return (RunCommand) parsed.subcommand().commandSpec().userObject();
    }

    @Test
    void theDefaultsAreTheWorkers() {
        assertEquals(FailureLogging.defaults(), parse().failureLogging());
    }

    @Test
    void levelsFloodAndStackTrace() {
        assertEquals(new FailureLogging(FailureLogging.Level.INFO, FailureLogging.Level.OFF, 3, Duration.ofMillis(2500), false),
                parse("--failure-log-retry-level", "INFO", "--failure-log-final-level", "off",
                        "--failure-log-flood", "3/2.5", "--no-failure-log-stack-trace").failureLogging());
        assertEquals(0, parse("--failure-log-flood", "0/60").failureLogging().floodThreshold());
    }

    @Test
    void badValuesNameTheOption() {
        assertEquals("--failure-log-retry-level must be error, warn, info, debug or off, got 'loud'",
                assertThrows(CliException.class, () -> parse("--failure-log-retry-level", "loud").failureLogging())
                        .getMessage());
        assertEquals("--failure-log-flood must be N/SECONDS, e.g. 10/60, got '10'",
                assertThrows(CliException.class, () -> parse("--failure-log-flood", "10").failureLogging()).getMessage());
        assertEquals("--failure-log-flood must be a positive number of seconds, not 0.0",
                assertThrows(CliException.class, () -> parse("--failure-log-flood", "5/0").failureLogging()).getMessage());
    }
}
