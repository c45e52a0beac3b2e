package org.pgqj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Standard help on every command and subcommand, found by walking picocli's command tree (so a command added
 * later is covered without touching this test): {@code --help}, {@code -h}, {@code help CMD} and {@code --version}
 * each print and exit 0, before any required parameter is asked for and without a database.
 */
class PgqjHelpTest {

    record Run(int exitCode, String out, String err) {
    }

    static Run run(List<String> args) {
        CommandLine cli = PgqjCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    /** The path of every command below {@code pgqj}, e.g. [web], [sql, install], [help]. */
    static Stream<List<String>> commands() {
        List<List<String>> paths = new ArrayList<>();
        walk(PgqjCli.commandLine(), List.of(), paths);
        return paths.stream();
    }

    private static void walk(CommandLine command, List<String> path, List<List<String>> paths) {
        command.getSubcommands().forEach((name, sub) -> {
            List<String> subPath = new ArrayList<>(path);
            subPath.add(name);
            paths.add(subPath);
            walk(sub, subPath, paths);
        });
    }

    @Test
    void theTreeHasEveryCommand() {
        List<List<String>> all = commands().toList();
        assertTrue(all.size() > 30, "walked " + all);
        assertTrue(all.contains(List.of("web")) && all.contains(List.of("run")) && all.contains(List.of("sql", "install"))
                && all.contains(List.of("help")) && all.contains(List.of("sql", "help")), all.toString());
    }

    @ParameterizedTest(name = "pgqj {0}")
    @MethodSource("commands")
    void helpAndVersionOnEveryCommand(List<String> path) {
        String usage = "Usage: pgqj " + String.join(" ", path);
        List<List<String>> asked = new ArrayList<>();
        asked.add(with(path, "--help"));
        asked.add(with(path, "-h"));
        // `pgqj help web`, `pgqj sql help install`: the help command of the parent
        List<String> viaHelp = new ArrayList<>(path.subList(0, path.size() - 1));
        viaHelp.add("help");
        viaHelp.add(path.getLast());
        asked.add(viaHelp);
        for (List<String> args : asked) {
            Run r = run(args);
            assertEquals(0, r.exitCode(), "pgqj " + args + ": " + r);
            assertTrue(r.out().contains(usage + " ["), "pgqj " + args + " printed:\n" + r.out() + r.err());
            assertEquals("", r.err(), "pgqj " + args);
        }
        if (!path.getLast().equals("help")) { // picocli's help command has -h but no --version
            Run version = run(with(path, "--version"));
            assertEquals(0, version.exitCode(), version.toString());
            assertTrue(version.out().startsWith("pgqj "), version.toString());
            assertEquals(version.out(), run(with(path, "-V")).out());
        }
    }

    @Test
    void theRootHasHelpAndVersionToo() {
        assertTrue(run(List.of("--help")).out().startsWith("Usage: pgqj [-hV]"), run(List.of("--help")).out());
        assertEquals(run(List.of("--help")).out(), run(List.of("help")).out());
        assertTrue(run(List.of("--version")).out().startsWith("pgqj "));
    }

    @Test
    void webTakesDashHAsHelpAndKeepsHostAsALongAlias() {
        String help = run(List.of("web", "-h")).out();
        assertTrue(help.contains("-h, --help"), help);
        assertTrue(help.contains("--bind, --host=ADDRESS"), help);
    }

    @Test
    void runPrintsHelpRatherThanAskingForItsFactory() {
        Run r = run(List.of("run", "--help"));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("FACTORY"), r.out());
    }

    private static List<String> with(List<String> path, String option) {
        List<String> args = new ArrayList<>(path);
        args.add(option);
        return args;
    }
}
