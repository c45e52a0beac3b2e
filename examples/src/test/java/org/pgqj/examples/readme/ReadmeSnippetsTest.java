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
 * Every Java snippet in README.md compiles as shown, imports included: each ```java block must be preceded by
 * {@code <!-- snippet: PATH#TAG -->}; after its leading {@code import} lines it must equal, line for line
 * (indentation removed), the region between {@code // tag::TAG[]} and {@code // end::TAG[]} in that file, which the
 * build compiles; and its imports must be exactly those of that file that the region uses, in the file's order.
 */
class ReadmeSnippetsTest {

    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Pattern MARKER = Pattern.compile("<!-- snippet: (\\S+)#(\\S+) -->");
    private static final Pattern IMPORT = Pattern.compile("import (?:static )?[\\w.]*\\.(\\w+);");

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
            Path file = MODULE.resolve(marker.group(1));
            List<String> region = region(file, marker.group(2));
            int code = 0;
            while (code < block.size() && (block.get(code).startsWith("import ") || block.get(code).isBlank())) {
                code++;
            }
            List<String> imports = block.subList(0, code).stream().filter(l -> !l.isBlank()).toList();
            List<String> body = block.subList(code, block.size());
            if (!dedent(body).equals(dedent(region))) {
                problems.add("README.md:" + (i + 1) + ": differs from " + marker.group(1) + "#" + marker.group(2)
                        + "\n--- README\n" + String.join("\n", dedent(body)) + "\n--- source\n" + String.join("\n", dedent(region)));
            }
            List<String> needed = importsUsed(file, region);
            if (!imports.equals(needed)) {
                problems.add("README.md:" + (i + 1) + ": the imports of " + marker.group(1) + "#" + marker.group(2)
                        + " are\n" + String.join("\n", needed) + "\n--- README has\n" + String.join("\n", imports));
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

    /**
     * The imports a reader needs for the region: the file's import lines whose simple name (or static member) its
     * code mentions, in file order, then one for each class of the file's own package (a source file of that package
     * in the module's src/main/java) that it mentions, sorted.
     */
    static List<String> importsUsed(Path file, List<String> region) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> used = importsUsed(lines, region);
        String pkg = lines.stream().filter(l -> l.startsWith("package ")).findFirst()
                .map(l -> l.substring("package ".length(), l.indexOf(';'))).orElse("");
        String path = file.toString();
        Path main = Path.of(path.substring(0, path.lastIndexOf("/src/")), "src/main/java", pkg.replace('.', '/'));
        List<String> samePackage = new ArrayList<>();
        for (String name : mentioned(region)) {
            if (Files.exists(main.resolve(name + ".java"))) {
                samePackage.add("import " + pkg + "." + name + ";");
            }
        }
        samePackage.stream().sorted().forEach(used::add);
        return used;
    }

    /** The file's import lines whose simple name (or static member) the region's code mentions, in file order. */
    static List<String> importsUsed(List<String> file, List<String> region) {
        String code = String.join("\n", codeOf(region));
        List<String> used = new ArrayList<>();
        for (String line : file) {
            Matcher m = IMPORT.matcher(line.strip());
            if (m.matches() && Pattern.compile("\\b" + Pattern.quote(m.group(1)) + "\\b").matcher(code).find()) {
                used.add(line.strip());
            }
        }
        return used;
    }

    /** The capitalised words of the region's code, each once, but for types it declares: candidate class names. */
    private static List<String> mentioned(List<String> region) {
        String code = String.join("\n", codeOf(region));
        List<String> declared = new ArrayList<>();
        Matcher d = Pattern.compile("\\b(?:class|record|interface|enum) (\\w+)").matcher(code);
        while (d.find()) {
            declared.add(d.group(1));
        }
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("(?<![\\w.])([A-Z]\\w*)").matcher(code);
        while (m.find()) {
            if (!names.contains(m.group(1)) && !declared.contains(m.group(1))) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The region without Javadoc lines and line comments. */
    private static List<String> codeOf(List<String> region) {
        return region.stream()
                .filter(l -> !l.strip().startsWith("*") && !l.strip().startsWith("/*"))
                .map(l -> l.replaceAll("//.*", ""))
                .toList();
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
    void importsAreThoseTheCodeMentions() {
        List<String> file = List.of("package x;", "import java.time.Duration;", "import java.util.List;",
                "import static java.nio.charset.StandardCharsets.UTF_8;", "class X {}");
        assertEquals(List.of("import java.time.Duration;", "import static java.nio.charset.StandardCharsets.UTF_8;"),
                importsUsed(file, List.of("var d = Duration.ZERO; // a List", "byte[] b = \"x\".getBytes(UTF_8);")));
    }

    @Test
    void dedentKeepsRelativeIndentation() {
        assertEquals(List.of("a", "  b", "", "c"), dedent(List.of("    a", "      b", "  ", "    c")));
    }
}
