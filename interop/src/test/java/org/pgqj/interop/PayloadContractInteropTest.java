package org.pgqj.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.payload.PayloadContract;
import org.pgqj.payload.PayloadContracts;
import org.pgqj.testing.Await;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.RequiresPython;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.TestProcess;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;

/**
 * The payload contract across languages: the schemas Java exports are the Python helper's fixtures, its own pytest
 * suite passes on them, Java-encoded payloads validate and parse in Python, a real Python producer's payloads decode
 * in Java, and a producer that drifted (articleId for article_id, a string for the long) is stopped by the helper
 * or, without it, named field by field in the Java worker's traceback.
 */
@ExtendWith({RequiresPython.class, PostgresExtension.class})
@Timeout(300)
class PayloadContractInteropTest {

    private static final Path HELPER = Path.of(System.getProperty("pgqj.contract.helper", "../python/pgqj-contract"));
    private static final Path SCHEMAS = HELPER.resolve("tests/schemas");
    private static final List<PayloadContract> CONTRACTS =
            PayloadContracts.of(ContractRecords.CODEC, List.of(ContractRecords.ArticlePublished.class));

    @BeforeAll
    static void setUp(TestDatabase db) throws IOException {
        installHelper();
        var r = Interop.pgq(db, "install");
        assertEquals(0, r.exitCode(), r::toString);
        var upgrade = Interop.pgqj(db, "upgrade");
        assertEquals(0, upgrade.exitCode(), upgrade::toString);
    }

    /**
     * {@code pip install python/pgqj-contract} into the interop venv, as a Python service would install it: from a
     * copy under target/, since pip builds in the source tree (build/, *.egg-info) and keeps what it built there.
     */
    private static void installHelper() throws IOException {
        Path copy = Interop.python().home().resolveSibling("pgqj-contract-src");
        if (Files.exists(copy)) {
            try (Stream<Path> old = Files.walk(copy)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        try (Stream<Path> files = Files.walk(HELPER)) {
            for (Path p : files.filter(p -> !HELPER.relativize(p).startsWith("tests")).toList()) {
                Path target = copy.resolve(HELPER.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        TestProcess.Result r = TestProcess.run("pip install pgqj-contract", Interop.python().process("", "python", "-m",
                "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--force-reinstall",
                copy.toString()), Duration.ofMinutes(4));
        assertEquals(0, r.exitCode(), r::toString);
    }

    @Test
    void theCommittedSchemasAreWhatJavaExports() {
        if (Boolean.getBoolean("pgqj.interop.refreshFixtures")) {
            PayloadContracts.write(SCHEMAS, CONTRACTS);
        }
        assertEquals(List.of(), PayloadContracts.differences(SCHEMAS, CONTRACTS),
                "re-export with -Dpgqj.interop.refreshFixtures=true after changing ContractRecords");
    }

    @Test
    void theHelpersOwnTestsPass() {
        ProcessBuilder pb = Interop.python().process("", "python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                HELPER.resolve("tests").toAbsolutePath().toString());
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        TestProcess.Result r = TestProcess.run("pytest pgqj-contract", pb, Duration.ofMinutes(3));
        assertEquals(0, r.exitCode(), r::toString);
        String summary = r.out().stream().filter(l -> l.contains(" passed")).findFirst().orElse("?");
        Interop.report("PayloadContractInteropTest.theHelpersOwnTestsPass", "pytest=\"" + summary.trim() + "\"");
    }

    @Test
    void javaEncodedPayloadsValidateAndParseInPython(TestDatabase db) throws IOException {
        int n = 12;
        List<String> lines = new ArrayList<>();
        List<JsonNode> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ContractRecords.ArticlePublished a = ContractRecords.sample(i);
            lines.add(new String(ContractRecords.CODEC.encode(a), StandardCharsets.UTF_8));
            expected.add(normalized(ContractRecords.canonical(a)));
        }
        Path file = Files.createTempFile("java-payloads", ".jsonl");
        Files.write(file, lines, StandardCharsets.UTF_8);
        List<JsonNode> read = runProducer(db, "read", "--file", file.toString());
        assertEquals(n, read.size());
        for (int i = 0; i < n; i++) {
            assertEquals("[]", read.get(i).get("violations").toString(), "the helper's verdict on " + lines.get(i));
            assertEquals(expected.get(i), normalized(read.get(i).get("canonical")), "Python's reading of " + lines.get(i));
        }
        Interop.report("PayloadContractInteropTest.javaEncodedPayloadsValidateAndParseInPython", "payloads=" + n
                + " violations=0");
    }

    @Test
    void pythonMadePayloadsDecodeInJava(TestDatabase db) throws Exception {
        Map<Long, ContractRecords.ArticlePublished> decoded = new ConcurrentHashMap<>();
        try (Worker worker = Interop.warmedUp(db, Worker.builder(db.dataSource(), QueueTables.defaults())
                .payloadCodec(ContractRecords.CODEC)
                .entrypoint(ContractRecords.ArticlePublished.class, EntrypointOptions.defaults(),
                        (a, ctx) -> decoded.put(ctx.job().id(), a)))) {
            List<JsonNode> enqueued = runProducer(db, "make", "--count", "10");
            assertEquals(10, enqueued.size());
            Await.until("10 decoded jobs", Duration.ofSeconds(30), () -> decoded.size() == 10);
            for (JsonNode e : enqueued) {
                ContractRecords.ArticlePublished a = decoded.get(e.get("id").asLong());
                assertEquals(normalized(e.get("canonical")), normalized(ContractRecords.canonical(a)),
                        "Java's reading of " + e.get("payload").asText());
            }
            Long[] ids = enqueued.stream().map(e -> e.get("id").asLong()).toArray(Long[]::new);
            assertEquals(0, Interop.count(db.dataSource(),
                    "SELECT count(*) FROM pgqueuer_log WHERE status = 'exception' AND job_id = ANY(?)", (Object) ids));
            Interop.report("PayloadContractInteropTest.pythonMadePayloadsDecodeInJava", "jobs=10 decoded=" + decoded.size());
        }
    }

    @Test
    void aDriftedProducerIsStoppedInPythonAndNamedInJava(TestDatabase db) throws Exception {
        // with the helper: the producer refuses both payloads, naming the field, and enqueues nothing
        TestProcess.Result checked = TestProcess.run("contract_producer.py drift", producer(db, "drift", "--dir",
                SCHEMAS.toString()), Duration.ofSeconds(60));
        assertEquals(2, checked.exitCode(), checked::toString);
        List<JsonNode> refused = Interop.events(checked.out());
        assertEquals(List.of("[\"$.article_id: required, missing (the payload has 'articleId': renamed?)\"]",
                "[\"$.article_id: expected an integer, got the string \\\"42a\\\"\"]"),
                refused.stream().map(e -> e.get("violations").toString()).toList());
        assertEquals(0, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer WHERE entrypoint = 'article_published'"));

        // without it: the jobs reach the Java worker, which fails each with a traceback naming the field
        try (Worker worker = Interop.warmedUp(db, Worker.builder(db.dataSource(), QueueTables.defaults())
                .payloadCodec(ContractRecords.CODEC)
                .entrypoint(ContractRecords.ArticlePublished.class, EntrypointOptions.defaults(), (a, ctx) -> { }))) {
            List<JsonNode> enqueued = runProducer(db, "drift", "--no-check");
            assertEquals(2, enqueued.size());
            Await.until("two failed jobs", Duration.ofSeconds(30), () -> Interop.count(db.dataSource(),
                    "SELECT count(*) FROM pgqueuer_log WHERE status = 'exception' AND entrypoint = 'article_published'") == 2);
            List<JsonNode> tracebacks = tracebacks(db);
            assertEquals(2, tracebacks.size());
            for (JsonNode t : tracebacks) {
                assertEquals("PayloadException", t.get("exception_type").asText());
                assertTrue(!t.get("traceback").asText().contains("com.fasterxml.jackson"), "no Jackson stack: " + t);
            }
            assertTrue(tracebacks.get(0).get("exception_message").asText().endsWith(
                    "(entrypoint 'article_published'): $.article_id: required, missing (the payload has 'articleId': renamed?)"),
                    tracebacks.get(0).toString());
            assertTrue(tracebacks.get(1).get("exception_message").asText().endsWith(
                    "(entrypoint 'article_published'): $.article_id: expected an integer (long), got the string \"42a\""),
                    tracebacks.get(1).toString());
            Interop.report("PayloadContractInteropTest.aDriftedProducerIsStoppedInPythonAndNamedInJava",
                    "python_refused=2 java_failed=2 field=$.article_id");
        }
    }

    private static List<JsonNode> tracebacks(TestDatabase db) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (var c = db.dataSource().getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT traceback::text FROM pgqueuer_log WHERE status = 'exception' "
                     + "AND entrypoint = 'article_published' ORDER BY job_id")) {
            while (rs.next()) {
                out.add(Interop.JSON.readTree(rs.getString(1)));
            }
        }
        return out;
    }

    /** contract_producer.py ARGS, with the helper's test model (tests/article_model.py) importable. */
    private static ProcessBuilder producer(TestDatabase db, String... args) {
        ProcessBuilder pb = Interop.python().script(db.postgresUrl(), Interop.script().resolveSibling("contract_producer.py"), args);
        pb.environment().put("PYTHONPATH", HELPER.resolve("tests").toAbsolutePath().toString());
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1"); // no __pycache__ in the source tree
        return pb;
    }

    private static List<JsonNode> runProducer(TestDatabase db, String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command, "--dir", SCHEMAS.toString()));
        all.addAll(List.of(args));
        TestProcess.Result r = TestProcess.run("contract_producer.py " + command, producer(db, all.toArray(String[]::new)),
                Duration.ofSeconds(90));
        assertEquals(0, r.exitCode(), r::toString);
        return Interop.events(r.out());
    }

    /** Through JSON text, so numbers compare by value whichever node type each side built. */
    private static JsonNode normalized(JsonNode node) throws IOException {
        return Interop.JSON.readTree(node.toString());
    }
}
