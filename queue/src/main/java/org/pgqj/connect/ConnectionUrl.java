package org.pgqj.connect;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One database URL for Python and Java: reads the forms a Python service's {@code DATABASE_URL} or
 * {@code PGDSN} holds (libpq/asyncpg {@code postgresql://}, {@code postgres://}, SQLAlchemy's
 * {@code postgresql+asyncpg://} and {@code postgresql+psycopg://}) and JDBC's {@code jdbc:postgresql://},
 * and turns them into a pgjdbc URL (without credentials) plus connection properties.
 *
 * <pre>{@code
 * ConnectionUrl url = ConnectionUrl.parse("postgresql+asyncpg://app:s3cret@db:5432/shop?sslmode=require");
 * url.jdbcUrl();      // jdbc:postgresql://db:5432/shop
 * url.properties();   // user=app, password=s3cret, sslmode=require
 * DataSource ds = url.dataSource();
 * }</pre>
 *
 * @param jdbcUrl    the pgjdbc URL: hosts, ports and database, no credentials or parameters
 * @param parameters user, password and the other connection properties, by pgjdbc's names
 */
public record ConnectionUrl(String jdbcUrl, Map<String, String> parameters) {

    /** The forms {@link #parse} accepts, quoted in every error. */
    public static final List<String> ACCEPTED_FORMS = List.of(
            "postgresql://[user[:password]@][host][:port][/database][?param=value&...]",
            "postgres://...", "postgresql+asyncpg://...", "postgresql+psycopg://...", "postgresql+psycopg2://...",
            "jdbc:postgresql://[user[:password]@][host][:port][/database][?param=value&...]");

    private static final List<String> SCHEMES = List.of("jdbc:postgresql://", "postgresql+asyncpg://",
            "postgresql+psycopg2://", "postgresql+psycopg://", "postgresql://", "postgres://");

    /** libpq / Python parameter names that pgjdbc spells differently. */
    private static final Map<String, String> RENAMED = Map.of(
            "application_name", "ApplicationName",
            "connect_timeout", "connectTimeout",
            "target_session_attrs", "targetServerType",
            "dbname", "PGDBNAME");

    /** Copies, keeping order. */
    public ConnectionUrl {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * Reads a URL in any accepted form; user and password may be in the authority or in the query.
     * Percent-escapes are decoded. Several hosts ({@code h1:5432,h2:5433}) pass through to pgjdbc.
     *
     * @throws ConnectionUrlException naming what is wrong and the accepted forms (never the password)
     */
    public static ConnectionUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw error("(empty)", "the URL is empty");
        }
        String trimmed = url.strip();
        String scheme = SCHEMES.stream().filter(s -> trimmed.regionMatches(true, 0, s, 0, s.length()))
                .findFirst().orElse(null);
        if (scheme == null) {
            // show only the scheme: without a known form we cannot tell where a password would be
            int sep = trimmed.indexOf("://");
            throw error(sep > 0 && sep < 40 ? trimmed.substring(0, sep) + "://..." : "(not a URL)", "unknown scheme");
        }
        String rest = trimmed.substring(scheme.length());
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        String database = slash >= 0 ? rest.substring(slash + 1) : "";

        Map<String, String> params = new LinkedHashMap<>();
        int at = authority.lastIndexOf('@');
        String hosts = authority;
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            hosts = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            String user = decode(colon >= 0 ? userInfo.substring(0, colon) : userInfo, trimmed, "user");
            if (!user.isEmpty()) {
                params.put("user", user);
            }
            if (colon >= 0) {
                params.put("password", decode(userInfo.substring(colon + 1), trimmed, "password"));
            }
        }
        if (database.contains("/")) {
            throw error(redact(trimmed), "the database name contains '/' (encode it as %2F)");
        }
        database = decode(database, trimmed, "database");

        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw error(redact(trimmed), "a query parameter is not name=value");
            }
            String name = decode(pair.substring(0, eq), trimmed, "parameter name");
            String value = decode(pair.substring(eq + 1), trimmed, "parameter " + name);
            params.put(RENAMED.getOrDefault(name, name), value);
        }
        if (params.containsKey("targetServerType")) {
            params.put("targetServerType", targetServerType(params.get("targetServerType")));
        }
        String dbFromQuery = params.remove("PGDBNAME");
        if (database.isEmpty() && dbFromQuery != null) {
            database = dbFromQuery;
        }
        // a host in the query (libpq style) wins over an empty authority
        String hostFromQuery = params.remove("host");
        String portFromQuery = params.remove("port");
        if (hosts.isEmpty() && hostFromQuery != null) {
            if (hostFromQuery.startsWith("/")) {
                throw error(redact(trimmed), "Unix-domain socket hosts are not supported by pgjdbc; use a TCP host");
            }
            hosts = hostFromQuery + (portFromQuery != null ? ":" + portFromQuery : "");
        }
        String jdbcHosts = jdbcHosts(hosts, trimmed);
        String jdbc = "jdbc:postgresql://" + jdbcHosts + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
        return new ConnectionUrl(jdbc, params);
    }

    /**
     * The URL from the environment, as a Python service finds it: {@code DATABASE_URL}, else
     * {@code PGQUEUER_DSN}, else {@code PGDSN} (pgqueuer's {@code --pg-dsn} variables).
     *
     * @return empty when none is set
     */
    public static Optional<ConnectionUrl> fromEnvironment() {
        return fromEnvironment(System::getenv);
    }

    /** As {@link #fromEnvironment()}, reading variables through {@code env} (for tests). */
    public static Optional<ConnectionUrl> fromEnvironment(Function<String, String> env) {
        for (String variable : List.of("DATABASE_URL", "PGQUEUER_DSN", "PGDSN")) {
            String value = env.apply(variable);
            if (value != null && !value.isBlank()) {
                try {
                    return Optional.of(parse(value));
                } catch (ConnectionUrlException e) {
                    throw new ConnectionUrlException(variable + ": " + e.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    /** The user, if the URL named one. */
    public Optional<String> user() {
        return Optional.ofNullable(parameters.get("user"));
    }

    /** The connection properties for {@code DriverManager.getConnection(jdbcUrl(), properties())}; a copy. */
    public Properties properties() {
        Properties p = new Properties();
        p.putAll(parameters);
        return p;
    }

    /** An unpooled pgjdbc data source for this URL (wrap it in a pool for an application). */
    public PGSimpleDataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl);
        parameters.forEach((k, v) -> {
            try {
                ds.setProperty(k, v);
            } catch (java.sql.SQLException e) {
                throw new ConnectionUrlException("Unknown pgjdbc connection property '" + k + "' in the database URL: "
                        + e.getMessage());
            }
        });
        return ds;
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>(parameters);
        shown.computeIfPresent("password", (k, v) -> "***");
        return "ConnectionUrl[" + jdbcUrl + ", " + shown + "]";
    }

    private static String jdbcHosts(String hosts, String original) {
        if (hosts.isEmpty()) {
            return "localhost";
        }
        List<String> out = new ArrayList<>();
        for (String h : hosts.split(",")) {
            String host = h;
            String port = "";
            if (host.startsWith("[")) {
                int close = host.indexOf(']');
                if (close < 0) {
                    throw error(redact(original), "an IPv6 host lacks its closing ']'");
                }
                port = host.substring(close + 1);
                host = host.substring(0, close + 1);
            } else {
                int colon = host.indexOf(':');
                if (colon >= 0) {
                    port = host.substring(colon);
                    host = host.substring(0, colon);
                }
            }
            if (!port.isEmpty()) {
                if (!port.startsWith(":") || !port.substring(1).matches("\\d{1,5}")
                        || Integer.parseInt(port.substring(1)) > 65535) {
                    throw error(redact(original), "the port is not a number from 1 to 65535");
                }
            }
            host = decode(host, original, "host");
            if (host.isEmpty()) {
                host = "localhost";
            }
            if (host.startsWith("/")) {
                throw error(redact(original), "Unix-domain socket hosts are not supported by pgjdbc; use a TCP host");
            }
            if (!host.matches("[A-Za-z0-9._\\-]+|\\[[0-9A-Fa-f:.%]+]")) {
                throw error(redact(original), "the host is not a valid host name (letters, digits, '.', '-', or [IPv6])");
            }
            out.add(host + port);
        }
        return String.join(",", out);
    }

    private static String targetServerType(String libpq) {
        return switch (libpq.toLowerCase(Locale.ROOT)) {
            case "read-write", "primary" -> "primary";
            case "read-only", "standby" -> "secondary";
            case "prefer-standby" -> "preferSecondary";
            case "any" -> "any";
            default -> libpq;
        };
    }

    /** Percent-decoding as in URLs, without turning '+' into a space (libpq does not). */
    private static String decode(String s, String original, String what) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0
                        || Character.digit(s.charAt(i + 2), 16) < 0) {
                    throw error(redact(original), "bad percent-escape in the " + what);
                }
                out.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The URL for an error message: {@code password=} values masked, then everything between the user's
     * ':' and the last '@' masked, so a password is hidden even when it holds unescaped '/', '?' or '@'.
     */
    static String redact(String url) {
        String shown = url.replaceAll("(?i)(password=)[^&]*", "$1***");
        int schemeEnd = shown.indexOf("://");
        int start = schemeEnd >= 0 ? schemeEnd + 3 : 0;
        int at = shown.lastIndexOf('@');
        if (at > start) {
            String userInfo = shown.substring(start, at);
            int colon = userInfo.indexOf(':');
            String user = colon >= 0 ? userInfo.substring(0, colon) + ":***" : userInfo;
            shown = shown.substring(0, start) + user + shown.substring(at);
        }
        return shown;
    }

    private static ConnectionUrlException error(String shownUrl, String problem) {
        return new ConnectionUrlException("Cannot read database URL '" + shownUrl + "': " + problem
                + ". Accepted forms: " + String.join(" | ", ACCEPTED_FORMS));
    }
}
