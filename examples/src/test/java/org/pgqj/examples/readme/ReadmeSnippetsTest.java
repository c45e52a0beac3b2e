package org.pgqj.examples.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every Java snippet in README.md compiles: each ```java block must be preceded by
 * {@code <!-- snippet: PATH#TAG -->} and equal, line for line (indentation removed), the region between
 * {@code // tag::TAG[]} and {@code // end::TAG[]} in that file of this module, which the build compiles.
 */
class ReadmeSnippetsTest {

    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Pattern MARKER = Pattern.compile("<!-- snippet: (\\S+)#(\\S+) -->");

    @Test
    void everyJavaSnippetIsCompiledCode() throws IOException {
        List<String> readme = Files.readAllLines(MODULE.resolve("../README.md"));
        int checked = 0;
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < readme.size(); i++) {
            if (!readme.get(i).strip().equals("```java")) {
                continue;
            }
            Matcher marker = i > 0 ? MARKER.matcher(readme.get(i - 1).strip()) : null;
            if (marker == null || !marker.matches()) {
                problems.add("README.md:" + (i + 1) + ": ```java block without a <!-- snippet: PATH#TAG --> line above it");
                continue;
            }
            List<String> block = new ArrayList<>();
            int j = i + 1;
            while (j < readme.size() && !readme.get(j).strip().equals("```")) {
                block.add(readme.get(j));
                j++;
            }
            List<String> region = region(MODULE.resolve(marker.group(1)), marker.group(2));
            if (!dedent(block).equals(dedent(region))) {
                problems.add("README.md:" + (i + 1) + ": differs from " + marker.group(1) + "#" + marker.group(2)
                        + "\n--- README\n" + String.join("\n", dedent(block)) + "\n--- source\n" + String.join("\n", dedent(region)));
            }
            checked++;
            i = j;
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n\n", problems));
        }
        assertTrue(checked >= 10, "README has " + checked + " checked snippets");
    }

    private static List<String> region(Path file, String tag) throws IOException {
        assertTrue(Files.exists(file), "snippet file " + file + " exists");
        List<String> lines = Files.readAllLines(file);
        int start = -1;
        for (int k = 0; k < lines.size(); k++) {
            String line = lines.get(k).strip();
            if (line.equals("// tag::" + tag + "[]")) {
                start = k + 1;
            } else if (line.equals("// end::" + tag + "[]") && start >= 0) {
                return lines.subList(start, k);
            }
        }
        throw new AssertionError("no region " + tag + " in " + file);
    }

    static List<String> dedent(List<String> lines) {
        int indent = Integer.MAX_VALUE;
        for (String l : lines) {
            if (!l.isBlank()) {
                indent = Math.min(indent, l.length() - l.stripLeading().length());
            }
        }
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            out.add(l.isBlank() ? "" : l.substring(indent).stripTrailing());
        }
        return out;
    }

    @Test
    void dedentKeepsRelativeIndentation() {
        assertEquals(List.of("a", "  b", "", "c"), dedent(List.of("    a", "      b", "  ", "    c")));
    }
}
