package org.pgqj.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.pgqj.admin.DoctorFinding;
import org.pgqj.admin.DoctorOptions;
import org.pgqj.admin.DoctorReport;
import org.pgqj.admin.QueueDoctor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code pgqj doctor}: {@link QueueDoctor}'s findings, each with what to do; the exit code fits monitoring. */
@Command(name = "doctor", description = {
        "Examine the queue for what goes wrong in a mixed Python/Java fleet: due jobs and no worker of either "
                + "language connected, entrypoints nobody serves, backlogs, "
                + "disagreeing concurrency limits, stale picked jobs, tables without retention, schema drift, a "
                + "filling NOTIFY queue, autovacuum falling behind. Reads only.",
        "Exit code: 0 all fine, 1 warnings, 2 errors (or the database cannot be examined)."})
final class DoctorCommand implements Callable<Integer> {

    @ParentCommand
    PgqjCli root;

    @Option(names = "--json", description = "One JSON document: at, status, exit_code, findings "
            + "(check, severity, subject, problem, advice).")
    boolean json;

    @Option(names = "--waiting-after", paramLabel = "AGE", defaultValue = "5m",
            description = "A due job waiting this long is a finding: unserved when nothing picked its entrypoint in "
                    + "that time, else a backlog (default 5m; 7d, 12h, 30m, 90s or ISO-8601). With no worker "
                    + "connected at all, any due job is a finding at once.")
    String waitingAfter;

    @Option(names = "--stale-after", paramLabel = "AGE", defaultValue = "5m",
            description = "A picked job without a heartbeat for this long is stale (default 5m).")
    String staleAfter;

    @Option(names = "--limit", paramLabel = "ENTRYPOINT=N",
            description = "The concurrency limit your workers declare for an entrypoint (repeatable): a picked job in "
                    + "a slot at or above it, or one worker running more of it at once, shows another limit.")
    List<String> limits = List.of();

    @Override
    public Integer call() {
        DoctorOptions.Builder options = DoctorOptions.builder();
        try {
            options.waitingAfter(MaintenanceCommands.age(waitingAfter, "--waiting-after"))
                    .staleAfter(MaintenanceCommands.age(staleAfter, "--stale-after"));
            for (String limit : limits) {
                int eq = limit.lastIndexOf('=');
                if (eq <= 0) {
                    throw new CliException("--limit takes ENTRYPOINT=N (got '" + limit + "')");
                }
                options.concurrencyLimit(limit.substring(0, eq), Integer.parseInt(limit.substring(eq + 1).trim()));
            }
        } catch (NumberFormatException e) {
            throw new CliException("--limit takes ENTRYPOINT=N with a whole number N: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        DoctorReport report;
        try {
            report = QueueDoctor.create(root.tables(), options.build()).examine(root.dataSource());
        } catch (RuntimeException e) {
            // for monitoring, a database that cannot be examined is as bad as an error finding
            root.err().println("pgqj: doctor cannot examine the queue: " + CliErrors.oneLine(e));
            return 2;
        }
        PrintWriter out = root.out();
        if (json) {
            ObjectNode doc = Json.MAPPER.createObjectNode();
            doc.put("at", Json.time(report.at()));
            doc.put("status", report.worst().map(s -> s.name().toLowerCase(Locale.ROOT)).orElse("fine"));
            doc.put("exit_code", report.exitCode());
            var findings = doc.putArray("findings");
            for (DoctorFinding f : report.findings()) {
                findings.addObject().put("check", f.check().name().toLowerCase(Locale.ROOT))
                        .put("severity", f.severity().name().toLowerCase(Locale.ROOT)).put("subject", f.subject())
                        .put("problem", f.problem()).put("advice", f.advice());
            }
            out.println(doc);
        } else {
            for (DoctorFinding f : report.findings()) {
                out.printf("%-7s %s %s: %s%n        what to do: %s%n", f.severity(), f.check(), f.subject(), f.problem(),
                        f.advice());
            }
            long errors = report.findings().stream().filter(f -> f.severity() == DoctorFinding.Severity.ERROR).count();
            long warnings = report.findings().size() - errors;
            out.println(report.findings().isEmpty() ? "pgqj doctor: all fine"
                    : "pgqj doctor: " + errors + " error" + (errors == 1 ? "" : "s") + ", " + warnings + " warning"
                    + (warnings == 1 ? "" : "s"));
        }
        out.flush();
        return report.exitCode();
    }
}
