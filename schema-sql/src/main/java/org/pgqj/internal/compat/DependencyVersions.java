package org.pgqj.internal.compat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.pgqj.compat.UnsupportedDependencyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that the libraries pgqueuer-jooq runs on are not older than it supports, before anything of theirs is
 * called: an app whose build picks an older jOOQ would otherwise fail with a {@link NoSuchMethodError} somewhere
 * inside the generated classes. {@code QueueTables} (every use of the queue library goes through one) and
 * {@code PgqueuerSchema} call it. Not API.
 *
 * <p>A version older than the oldest supported one throws {@link UnsupportedDependencyException}; one newer than
 * the newest tested minor release logs one WARN and runs. The ranges come from {@value #RANGES}, filled in from the
 * parent pom at build time. Each library is checked once per class loader; a version that cannot be read (a
 * repackaged jar) is not checked.
 */
public final class DependencyVersions {

    static final String RANGES = "dependency-versions.properties";
    private static final Logger LOG = LoggerFactory.getLogger(DependencyVersions.class);
    private static final Properties SUPPORTED = load();
    private static final Set<Library> PASSED = ConcurrentHashMap.newKeySet();

    /** A library pgqueuer-jooq runs on, and where its version is read at run time (it survives shading). */
    public enum Library {
        /** Typed SQL; the generated classes need its API. */
        JOOQ("jOOQ", "org.jooq:jooq", "jooq.version", "jooq", "org.jooq.DSLContext",
                loader -> staticField(loader, "org.jooq.Constants", "FULL_VERSION")),
        /** The queue schema's migrations. */
        FLYWAY("Flyway", "org.flywaydb:flyway-core", "flyway.version", "flyway", "org.flywaydb.core.Flyway",
                loader -> resource(loader, "org/flywaydb/core/internal/version.txt")),
        /** Payloads, headers, NOTIFY events (Jackson 2; Spring Boot 4 manages it as jackson-2-bom). */
        JACKSON("Jackson", "com.fasterxml.jackson.core:jackson-databind", "jackson-2-bom.version", "jackson",
                "com.fasterxml.jackson.databind.ObjectMapper",
                loader -> staticField(loader, "com.fasterxml.jackson.databind.cfg.PackageVersion", "VERSION")),
        /** The JDBC driver (LISTEN/NOTIFY through its PGConnection). */
        PGJDBC("the PostgreSQL JDBC driver", "org.postgresql:postgresql", "postgresql.version", "pgjdbc",
                "org.postgresql.Driver",
                loader -> staticField(loader, "org.postgresql.util.DriverInfo", "DRIVER_VERSION")),
        /** pgqj-metrics' meters. */
        MICROMETER("Micrometer", "io.micrometer:micrometer-core", "micrometer.version", "micrometer",
                "io.micrometer.core.instrument.MeterRegistry",
                loader -> manifestVersion(loader, "io.micrometer.core.instrument.MeterRegistry")),
        /** pgqj-tracing's spans. */
        OPENTELEMETRY("the OpenTelemetry API", "io.opentelemetry:opentelemetry-api", "opentelemetry.version",
                "opentelemetry", "io.opentelemetry.api.OpenTelemetry",
                loader -> properties(loader, "io/opentelemetry/api/version.properties", "sdk.version"));

        private final String displayName;
        private final String coordinates;
        private final String property;
        private final String key;
        private final String markerClass;
        private final Function<ClassLoader, Optional<String>> versionSource;

        Library(String displayName, String coordinates, String property, String key, String markerClass,
                Function<ClassLoader, Optional<String>> versionSource) {
            this.displayName = displayName;
            this.coordinates = coordinates;
            this.property = property;
            this.key = key;
            this.markerClass = markerClass;
            this.versionSource = versionSource;
        }

        /** The oldest version supported. */
        public String oldest() {
            return SUPPORTED.getProperty(key + ".oldest");
        }

        /** The newest version this build was tested with. */
        public String newest() {
            return SUPPORTED.getProperty(key + ".newest");
        }

        /** The version on the class path of {@code loader}, when the library is there and its version readable. */
        Optional<String> versionIn(ClassLoader loader) {
            if (!present(loader, markerClass)) {
                return Optional.empty();
            }
            return versionSource.apply(loader);
        }
    }

    private DependencyVersions() {
    }

    /**
     * Checks each library once per class loader.
     *
     * @throws UnsupportedDependencyException for the first library older than supported
     */
    public static void requireSupported(Library... libraries) {
        for (Library library : libraries) {
            if (PASSED.contains(library)) {
                continue;
            }
            check(library, library.versionIn(DependencyVersions.class.getClassLoader()));
            PASSED.add(library);
        }
    }

    /**
     * Checks the libraries pgqj-metrics and pgqj-tracing need, when those modules are on the class path. Called by
     * {@code QueueTables}: the queue library has no dependency on them, so it cannot name them in its own checks.
     */
    public static void requireSupportedForOptionalModules() {
        ClassLoader loader = DependencyVersions.class.getClassLoader();
        if (present(loader, "org.pgqj.metrics.WorkerMetrics")) {
            requireSupported(Library.MICROMETER);
        }
        if (present(loader, "org.pgqj.tracing.OpenTelemetryTracing")) {
            requireSupported(Library.OPENTELEMETRY);
        }
    }

    /** The check itself, on a version read elsewhere (tests give it any version). */
    static void check(Library library, Optional<String> found) {
        if (found.isEmpty()) {
            LOG.debug("The version of {} ({}) on the class path could not be read; not checked",
                    library.displayName, library.coordinates);
            return;
        }
        String version = found.get();
        if (compare(version, library.oldest()) < 0) {
            throw unsupported(library, version);
        }
        if (compareMinor(version, library.newest()) > 0) {
            LOG.warn("pgqueuer-jooq was tested with {} {} to {}; {} is newer. If something fails, set {} to {}",
                    library.displayName, library.oldest(), library.newest(), version, library.property,
                    library.newest());
        }
    }

    private static UnsupportedDependencyException unsupported(Library library, String version) {
        return new UnsupportedDependencyException(library.displayName, library.coordinates, version,
                library.oldest(), library.newest(), library.property);
    }

    /** Compares dotted versions numerically, field by field ({@code 3.19.28 < 3.21.9}); a qualifier is ignored. */
    static int compare(String a, String b) {
        List<Integer> x = numbers(a);
        List<Integer> y = numbers(b);
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            int c = Integer.compare(i < x.size() ? x.get(i) : 0, i < y.size() ? y.get(i) : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** Compares the major and minor fields only: {@code 3.21.10} is no newer than {@code 3.21.9} here. */
    static int compareMinor(String a, String b) {
        List<Integer> x = numbers(a);
        List<Integer> y = numbers(b);
        return compare(x.get(0) + "." + (x.size() > 1 ? x.get(1) : 0), y.get(0) + "." + (y.size() > 1 ? y.get(1) : 0));
    }

    private static List<Integer> numbers(String version) {
        List<Integer> out = new ArrayList<>();
        for (String part : version.trim().split("[.]")) {
            int end = 0;
            while (end < part.length() && Character.isDigit(part.charAt(end))) {
                end++;
            }
            if (end == 0) {
                break; // "3.19.0-SNAPSHOT": the qualifier and all after it
            }
            out.add(Integer.parseInt(part.substring(0, end)));
            if (end < part.length()) {
                break;
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("Not a version number: '" + version + "'");
        }
        return out;
    }

    private static boolean present(ClassLoader loader, String className) {
        try {
            Class.forName(className, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static Optional<String> staticField(ClassLoader loader, String className, String field) {
        try {
            Object value = Class.forName(className, true, loader).getField(field).get(null);
            return Optional.ofNullable(value).map(Object::toString);
        } catch (ReflectiveOperationException | LinkageError e) {
            return Optional.empty();
        }
    }

    private static Optional<String> resource(ClassLoader loader, String path) {
        try (InputStream in = loader.getResourceAsStream(path)) {
            return in == null ? Optional.empty()
                    : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim()).filter(s -> !s.isEmpty());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> properties(ClassLoader loader, String path, String key) {
        try (InputStream in = loader.getResourceAsStream(path)) {
            if (in == null) {
                return Optional.empty();
            }
            Properties p = new Properties();
            p.load(in);
            return Optional.ofNullable(p.getProperty(key));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> manifestVersion(ClassLoader loader, String className) {
        try {
            Package pkg = Class.forName(className, false, loader).getPackage();
            return Optional.ofNullable(pkg == null ? null : pkg.getImplementationVersion());
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty();
        }
    }

    private static Properties load() {
        try (InputStream in = DependencyVersions.class.getResourceAsStream(RANGES)) {
            if (in == null) {
                throw new IllegalStateException(RANGES + " is missing from pgqj-schema-sql's jar");
            }
            Properties p = new Properties();
            p.load(in);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
