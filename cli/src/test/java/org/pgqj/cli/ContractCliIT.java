package org.pgqj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `pgqj contract export` run from the packaged jar with the application's classes on the classpath, no database. */
class ContractCliIT {

    private static final String TEST_CLASSES = Path.of("target/test-classes").toAbsolutePath().toString();

    private static CliProcess.Result export(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "contract";
        all[1] = "export";
        System.arraycopy(args, 0, all, 2, args.length);
        return CliProcess.finish(CliProcess.builder(null, Map.of(), TEST_CLASSES, all).start(), 60);
    }

    @Test
    void printsTheSchemasOfAPackageWithTheApplicationsCodec() throws Exception {
        CliProcess.Result r = export("--codec", "org.pgqj.cli.contracts.Payloads::snakeCase", "org.pgqj.cli.contracts");
        assertEquals(0, r.exitCode(), r::toString);
        JsonNode all = new ObjectMapper().readTree(r.out());
        assertEquals(2, all.size());
        assertTrue(all.get("send_welcome").get("properties").has("signed_up_at"), r::toString);
        assertEquals("[\"article_id\"]", all.get("index_article").get("required").toString());
    }

    @Test
    void writesThenChecksAndFailsOnARename(@TempDir Path dir) throws Exception {
        CliProcess.Result written = export("--dir", dir.toString(), "org.pgqj.cli.contracts.Payloads$SendWelcome");
        assertEquals(0, written.exitCode(), written::toString);
        Path file = dir.resolve("send_welcome.schema.json");
        JsonNode schema = new ObjectMapper().readTree(file.toFile());
        assertEquals("[\"userId\",\"signedUpAt\"]", schema.get("required").toString());

        assertEquals(0, export("--dir", dir.toString(), "--check", "org.pgqj.cli.contracts.Payloads$SendWelcome").exitCode());
        // the committed schema says user_id: the record as it is now (camelCase) no longer matches it
        Files.writeString(file, Files.readString(file).replace("userId", "user_id"));
        CliProcess.Result stale = export("--dir", dir.toString(), "--check", "org.pgqj.cli.contracts.Payloads$SendWelcome");
        assertEquals(1, stale.exitCode(), stale::toString);
        assertTrue(stale.err().contains("send_welcome.schema.json: differs from org.pgqj.cli.contracts.Payloads$SendWelcome"),
                stale::toString);
        assertTrue(stale.err().contains("are not current (1 listed above)"), stale::toString);
    }

    @Test
    void namesWhatItCannotFind() throws Exception {
        CliProcess.Result r = export("com.example.nothing");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("pgqj: 'com.example.nothing' is neither a class nor a package with @Entrypoint types"),
                r::toString);
        CliProcess.Result check = export("--check", "org.pgqj.cli.contracts");
        assertEquals(1, check.exitCode());
        assertTrue(check.err().contains("--check compares with the files in --dir DIR"), check::toString);
    }
}
