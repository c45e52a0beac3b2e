package org.pgqj.payload;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Exports the contracts of {@link Entrypoint} types as JSON Schema files, one {@code <entrypoint>.schema.json}
 * per entrypoint, for the other language's producers and consumers to validate against; and checks that a
 * directory of them is current, so a renamed component fails the Java build until the schemas are exported
 * (and reviewed) again.
 *
 * <pre>{@code
 * PayloadCodec codec = PayloadCodec.defaults();
 * List<PayloadContract> contracts = PayloadContracts.of(codec, PayloadContracts.find(loader, "com.example.jobs"));
 * PayloadContracts.write(Path.of("contracts"), contracts);
 * List<String> stale = PayloadContracts.differences(Path.of("contracts"), contracts); // empty when current
 * }</pre>
 *
 * {@link #main} is the same for a build (exec-maven-plugin's {@code java} goal):
 * {@code --dir DIR [--check] [--codec CLASS::METHOD] NAME...}.
 */
public final class PayloadContracts {

    /** The file name suffix: {@code index_article.schema.json}. */
    public static final String SUFFIX = ".schema.json";

    private PayloadContracts() {
    }

    /**
     * The {@link Entrypoint} types that {@code names} denote, in name order: each name is a class (taken as it
     * is; it must carry {@code @Entrypoint}) or a package (searched with its subpackages, on the directories and
     * jars of {@code loader}, for classes that carry it, nested ones too).
     *
     * @throws PayloadException when a name is neither a class nor a package with such types
     */
    public static List<Class<?>> find(ClassLoader loader, Collection<String> names) {
        Objects.requireNonNull(loader, "loader");
        Map<String, Class<?>> found = new TreeMap<>();
        for (String name : names) {
            Class<?> named = load(loader, name);
            if (named != null) {
                PayloadCodec.entrypointOf(named); // throws, naming the class, without @Entrypoint
                found.put(named.getName(), named);
                continue;
            }
            List<Class<?>> inPackage = scan(loader, name);
            if (inPackage.isEmpty()) {
                throw new PayloadException("'" + name + "' is neither a class nor a package with @Entrypoint types on "
                        + "the classpath; name the package of your payload records (or a record) and put your "
                        + "classes on the classpath");
            }
            inPackage.forEach(c -> found.put(c.getName(), c));
        }
        return List.copyOf(found.values());
    }

    /** The contract of each type under {@code codec}, in entrypoint order; two types of one entrypoint are an error. */
    public static List<PayloadContract> of(PayloadCodec codec, Collection<Class<?>> types) {
        Map<String, PayloadContract> byEntrypoint = new TreeMap<>();
        for (Class<?> type : types) {
            String entrypoint = PayloadCodec.entrypointOf(type);
            if (!entrypoint.matches("[A-Za-z0-9_.:-]+")) {
                throw new PayloadException("Entrypoint '" + entrypoint + "' of " + type.getName() + " cannot name a "
                        + "schema file; use letters, digits and _ . : -");
            }
            PayloadContract previous = byEntrypoint.put(entrypoint, codec.contract(type));
            if (previous != null && previous.type() != type) {
                throw new PayloadException("Entrypoint '" + entrypoint + "' is declared by both "
                        + previous.type().getName() + " and " + type.getName() + "; one type per entrypoint");
            }
        }
        return List.copyOf(byEntrypoint.values());
    }

    /** Writes {@code <entrypoint>.schema.json} for each contract into {@code dir} (created); returns the files. */
    public static List<Path> write(Path dir, Collection<PayloadContract> contracts) {
        try {
            Files.createDirectories(dir);
            List<Path> written = new ArrayList<>();
            for (PayloadContract c : contracts) {
                Path file = dir.resolve(fileName(c));
                Files.writeString(file, c.schemaJson(), StandardCharsets.UTF_8);
                written.add(file);
            }
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the payload schemas to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * What {@link #write} would change in {@code dir}: each schema file missing or different (compared as JSON,
     * not as text), and each {@code *.schema.json} there for an entrypoint no contract has. Empty when current.
     */
    public static List<String> differences(Path dir, Collection<PayloadContract> contracts) {
        ObjectMapper json = new ObjectMapper();
        List<String> out = new ArrayList<>();
        Set<String> expected = new TreeSet<>();
        try {
            for (PayloadContract c : contracts) {
                Path file = dir.resolve(fileName(c));
                expected.add(file.getFileName().toString());
                if (!Files.exists(file)) {
                    out.add(file + ": missing (entrypoint '" + c.entrypoint().orElseThrow() + "', " + c.type().getName() + ")");
                } else if (!json.readTree(file.toFile()).equals(json.readTree(c.schemaJson()))) { // as text: number node types differ
                    out.add(file + ": differs from " + c.type().getName() + " as it is now");
                }
            }
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX) && !expected.contains(n))
                            .sorted().forEach(n -> out.add(dir.resolve(n) + ": no @Entrypoint type declares '"
                                    + n.substring(0, n.length() - SUFFIX.length()) + "' any more"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the payload schemas in " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * For a build: {@code --dir DIR [--write|--check] [--codec CLASS::METHOD] NAME...} writes (or with {@code --check}
     * verifies) the schemas of the {@code @Entrypoint} types that the class and package NAMEs denote, with the
     * codec a public static no-argument method returns ({@code PayloadCodec} or {@code ObjectMapper}; default
     * {@link PayloadCodec#defaults()}). Throws rather than exits, so it fails a build it runs inside.
     *
     * @throws IllegalStateException when {@code --check} finds the files stale (each difference is printed on
     *                               stderr first)
     */
    public static void main(String[] args) {
        Path dir = null;
        boolean check = false;
        String codecSpec = null;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(value(args, ++i, "--dir"));
                case "--check" -> check = true;
                case "--write" -> check = false; // the default, for a build property that picks one or the other
                case "--codec" -> codecSpec = value(args, ++i, "--codec");
                default -> names.add(args[i]);
            }
        }
        if (dir == null || names.isEmpty()) {
            throw new IllegalArgumentException("Usage: PayloadContracts --dir DIR [--check] [--codec CLASS::METHOD] "
                    + "PACKAGE_OR_CLASS...");
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        List<PayloadContract> contracts = of(codecSpec == null ? PayloadCodec.defaults() : codec(loader, codecSpec),
                find(loader, names));
        if (check) {
            List<String> stale = differences(dir, contracts);
            if (!stale.isEmpty()) {
                stale.forEach(line -> System.err.println("pgqj: " + line));
                throw new IllegalStateException("The payload schemas in " + dir + " are not current (" + stale.size()
                        + " listed above): export them again (without --check), review the change with the other "
                        + "language's side, and commit them");
            }
            System.out.println("pgqj: " + contracts.size() + " payload schemas in " + dir + " are current");
        } else {
            write(dir, contracts);
            System.out.println("pgqj: wrote " + contracts.size() + " payload schemas to " + dir);
        }
        contracts.forEach(c -> c.unchecked().forEach(u -> System.out.println("pgqj: WARNING " + c.type().getName()
                + " " + u + " has no contract rule; any JSON is accepted there")));
    }

    /** {@code CLASS::METHOD}: a public static no-argument method returning a PayloadCodec or an ObjectMapper. */
    public static PayloadCodec codec(ClassLoader loader, String spec) {
        int sep = spec.indexOf("::");
        Class<?> owner = sep < 0 ? null : load(loader, spec.substring(0, sep));
        if (owner == null) {
            throw new PayloadException("--codec '" + spec + "': expected CLASS::METHOD with the class on the classpath");
        }
        try {
            Method m = owner.getMethod(spec.substring(sep + 2));
            Object value = Modifier.isStatic(m.getModifiers()) ? m.invoke(null) : null;
            if (value instanceof PayloadCodec c) {
                return c;
            }
            if (value instanceof ObjectMapper mapper) {
                return PayloadCodec.using(mapper);
            }
        } catch (ReflectiveOperationException e) {
            // reported below
        }
        throw new PayloadException("--codec '" + spec + "': no public static no-argument method returning a "
                + "PayloadCodec or an ObjectMapper");
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static String fileName(PayloadContract c) {
        return c.entrypoint().orElseThrow(() -> new PayloadException(c.type().getName() + " has no @Entrypoint"))
                + SUFFIX;
    }

    private static Class<?> load(ClassLoader loader, String name) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /** The @Entrypoint classes under a package, on the directories and jars the loader reads. */
    private static List<Class<?>> scan(ClassLoader loader, String packageName) {
        String prefix = packageName.replace('.', '/') + "/";
        Set<String> classNames = new TreeSet<>();
        try {
            Enumeration<URL> roots = loader.getResources(prefix.substring(0, prefix.length() - 1));
            for (URL root : Collections.list(roots)) {
                if (root.getProtocol().equals("file")) {
                    Path base = Path.of(root.toURI());
                    try (Stream<Path> files = Files.walk(base)) {
                        files.filter(p -> p.toString().endsWith(".class")).forEach(p -> classNames.add(
                                prefix + base.relativize(p).toString().replace(File.separatorChar, '/')));
                    }
                } else if (root.getProtocol().equals("jar")) {
                    JarURLConnection connection = (JarURLConnection) root.openConnection();
                    connection.setUseCaches(false);
                    try (JarFile jar = connection.getJarFile()) {
                        for (JarEntry entry : Collections.list(jar.entries())) {
                            if (entry.getName().startsWith(prefix) && entry.getName().endsWith(".class")) {
                                classNames.add(entry.getName());
                            }
                        }
                    }
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new PayloadException("Cannot search package " + packageName + " for @Entrypoint types: " + e.getMessage(), e);
        }
        Map<String, Class<?>> found = new LinkedHashMap<>();
        for (String file : classNames) {
            String name = file.substring(0, file.length() - ".class".length()).replace('/', '.');
            if (name.endsWith("module-info") || name.endsWith("package-info")) {
                continue;
            }
            Class<?> c = load(loader, name);
            if (c != null && c.isAnnotationPresent(Entrypoint.class)) {
                found.put(name, c);
            }
        }
        return List.copyOf(found.values());
    }
}
