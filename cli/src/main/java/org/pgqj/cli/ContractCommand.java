package org.pgqj.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.pgqj.payload.PayloadCodec;
import org.pgqj.payload.PayloadContracts;
import org.pgqj.payload.PayloadException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pgqj contract export}: the JSON Schema of each {@code @Entrypoint} payload type, for the Python side
 * to validate against. Connects to no database; the types come from class and package names on the classpath.
 */
@Command(name = "contract", description = "Payload contracts: JSON Schemas of the @Entrypoint records, for the other "
        + "language's producers and consumers.", subcommands = ContractCommand.Export.class)
final class ContractCommand implements Runnable {

    @ParentCommand
    PgqjCli root;

    @Override
    public void run() {
        throw new CliException("pgqj contract needs a subcommand: export");
    }

    @Command(name = "export", description = {
            "Write <entrypoint>.schema.json for every @Entrypoint type that NAME denotes (a class, or a package "
                    + "searched with its subpackages), or print them as one JSON object without --dir.",
            "The classes must be on the classpath: java -cp app.jar:pgqj-cli-all.jar org.pgqj.cli.PgqjCli contract "
                    + "export --dir contracts com.example.jobs"})
    static final class Export implements Callable<Integer> {
        @ParentCommand
        ContractCommand parent;

        @Parameters(paramLabel = "NAME", arity = "1..*", description = "Class or package names.")
        List<String> names;

        @Option(names = "--dir", paramLabel = "DIR", description = "Write the files here (created if missing).")
        Path dir;

        @Option(names = "--check", description = "With --dir: write nothing; exit 1 listing each file that is "
                + "missing, different or left over (for CI: a renamed component fails the build).")
        boolean check;

        @Option(names = "--codec", paramLabel = "CLASS::METHOD", description = "The codec the application uses: a public "
                + "static no-argument method returning a PayloadCodec or an ObjectMapper (naming strategy, modules). "
                + "Default: PayloadCodec.defaults().")
        String codec;

        @Override
        public Integer call() {
            if (check && dir == null) {
                throw new CliException("--check compares with the files in --dir DIR; give --dir");
            }
            try {
                if (dir != null) {
                    List<String> args = new ArrayList<>(List.of("--dir", dir.toString()));
                    if (check) {
                        args.add("--check");
                    }
                    if (codec != null) {
                        args.addAll(List.of("--codec", codec));
                    }
                    args.addAll(names);
                    PayloadContracts.main(args.toArray(String[]::new)); // the build's entry point, the same checks
                    return 0;
                }
                ClassLoader loader = Thread.currentThread().getContextClassLoader();
                ObjectNode all = JsonNodeFactory.instance.objectNode();
                PayloadContracts.of(codec == null ? PayloadCodec.defaults() : PayloadContracts.codec(loader, codec),
                        PayloadContracts.find(loader, names)).forEach(c -> all.set(c.entrypoint().orElseThrow(), c.schema()));
                parent.root.out().println(all.toPrettyString());
                return 0;
            } catch (PayloadException | IllegalStateException e) {
                throw new CliException(e.getMessage());
            }
        }
    }
}
