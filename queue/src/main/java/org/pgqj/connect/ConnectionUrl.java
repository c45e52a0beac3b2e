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
import java.util.Set;
import java.util.function.Function;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One database URL for Python and Java: reads the forms a Python service's {@code DATABASE_URL} or
 * {@code PGDSN} holds (libpq/asyncpg {@code postgresql://}, {@code postgres://}, SQLAlchemy's
 * {@code postgresql+asyncpg://} and {@code postgresql+psycopg://}, and libpq's keyword/value string
 * {@code host=db port=5432 dbname=shop} that psycopg also takes) and JDBC's {@code jdbc:postgresql://},
 * and turns them into a pgjdbc URL (without credentials) plus connection properties.
 *
 * <pre>{@code
 * ConnectionUrl url = ConnectionUrl.parse("postgresql+asyncpg://app:s3cret@db:5432/shop?sslmode=require");
 * url.jdbcUrl();      // jdbc:postgresql://db:5432/shop
 * url.properties();   // user=app, password=s3cret, sslmode=require
 * DataSource ds = url.dataSource();
 *
 * ConnectionUrl.parse("host=db port=5432 dbname=shop user=app password='s3 cret' sslmode=require");
 *                     // the same jdbcUrl; user=app, password=s3 cret, sslmode=require
 * }</pre>
 *
 * <p>A keyword/value string follows libpq's rules: settings {@code keyword = value} separated by
 * whitespace, spaces around {@code =} optional; a value with spaces, or an empty one, is single-quoted
 * ({@code password='a b'}, {@code options=''}); a backslash takes the next character literally, inside
 * quotes and out ({@code \'}, {@code \\}); a repeated keyword's last value wins. {@code host} and
 * {@code port} may be comma lists: one port per host, or one port for all. {@code dbname} becomes the
 * database, other keywords become properties under pgjdbc's names (as the URL query parameters do).
 * pgjdbc connects over TCP only, so a Unix-socket directory ({@code host=/var/run/postgresql}) and
 * {@code hostaddr} are rejected: name the server in {@code host} instead.
 *
 * @param jdbcUrl    the pgjdbc URL: hosts, ports and database, no credentials or parameters
 * @param parameters user, password and the other connection properties, by pgjdbc's names
 */
public record ConnectionUrl(String jdbcUrl, Map<String, String> parameters) {

    /** The forms {@link #parse} accepts, quoted in every error. */
    public static final List<String> ACCEPTED_FORMS = List.of(
            "postgresql://[user[:password]@][host][:port][/database][?param=value&...]",
            "postgres://...", "postgresql+asyncpg://...", "postgresql+psycopg://...", "postgresql+psycopg2://...",
            "jdbc:postgresql://[user[:password]@][host][:port][/database][?param=value&...]",
            "host=... port=... dbname=... user=... password='...' [keyword=value ...] (libpq keyword/value)");

    private static final List<String> SCHEMES = List.of("jdbc:postgresql://", "postgresql+asyncpg://",
            "postgresql+psycopg2://", "postgresql+psycopg://", "postgresql://", "postgres://");

    /** libpq / Python parameter names that pgjdbc spells differently. */
    private static final Map<String, String> RENAMED = Map.of(
            "application_name", "ApplicationName",
            "connect_timeout", "connectTimeout",
            "target_session_attrs", "targetServerType",
            "dbname", "PGDBNAME");

    /**
     * Keyword/value settings whose values an error message may show; all others are shown as {@code ***}:
     * password, sslpassword, and keywords we do not know (maybe a piece of a password with an unquoted space).
     */
    private static final Set<String> SHOWN_VALUES = Set.of("host", "hostaddr", "port", "dbname", "user", "sslmode",
            "application_name", "connect_timeout", "target_session_attrs");

    private static final String UNIX_SOCKET = "Unix-domain socket directories are not supported by pgjdbc without an "
            + "extra socket-factory library; use a TCP host (a host name or IP address, e.g. localhost)";

    private static final String PORT_RANGE = "the port is not a number from 1 to 65535";

    /** Copies, keeping order. */
    public ConnectionUrl {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * Reads a URL in any accepted form; user and password may be in the authority or in the query.
     * Percent-escapes are decoded. Several hosts ({@code h1:5432,h2:5433}) pass through to pgjdbc.
     * A string without a scheme whose first {@code =} comes before any {@code ://} is read as libpq
     * keyword/value settings (see the class comment).
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
            int sep = trimmed.indexOf("://");
            int eq = trimmed.indexOf('=');
            if (eq >= 0 && (sep < 0 || eq < sep)) {
                // the unstripped string: libpq keeps an escaped trailing space ("password=a\ ")
                return parseKeywordValue(url);
            }
            if (sep < 0) {
                // nothing shown: a lone word may well be a password pasted in the wrong place
                throw error("(not a URL)", "neither a URL (scheme://...) nor libpq keyword=value settings");
            }
            // show only the scheme: without a known form we cannot tell where a password would be
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
            putProperty(params, name, value);
        }
        String dbFromQuery = params.remove("PGDBNAME");
        if (database.isEmpty() && dbFromQuery != null) {
            database = dbFromQuery;
        }
        // hosts and ports in the query (libpq style) are used when the authority names no host, paired as
        // libpq pairs them: one port per host or one for all (gluing the lists made "h1,h2:5432,5433")
        String hostFromQuery = params.remove("host");
        String portFromQuery = params.remove("port");
        String jdbcHosts = hosts.isEmpty() && (hostFromQuery != null || portFromQuery != null)
                ? pairedHosts(hostFromQuery, portFromQuery, redact(trimmed))
                : jdbcHosts(hosts, trimmed);
        return new ConnectionUrl(jdbcUrl(jdbcHosts, database), params);
    }

    /**
     * Reads libpq keyword/value settings as libpq's {@code conninfo_parse} does, then maps them like the
     * URL forms: host and port lists paired, {@code dbname} the database, the rest properties.
     */
    private static ConnectionUrl parseKeywordValue(String conninfo) {
        Map<String, String> settings = keywordValues(conninfo);
        String shown = shown(settings, false);
        if (settings.containsKey("hostaddr")) {
            throw error(shown, "hostaddr is not supported by pgjdbc; put the server's host name or IP address in host "
                    + "and drop hostaddr");
        }
        Map<String, String> params = new LinkedHashMap<>();
        settings.forEach((keyword, value) -> {
            if (!List.of("host", "port", "dbname").contains(keyword)) {
                putProperty(params, keyword, value);
            }
        });
        String hosts = pairedHosts(settings.get("host"), settings.get("port"), shown);
        return new ConnectionUrl(jdbcUrl(hosts, settings.getOrDefault("dbname", "")), params);
    }

    /**
     * The settings in order, a repeated keyword keeping its last value. Errors show only the settings
     * read before the fault, never the word or quoted value at fault: that may be part of a password.
     */
    private static Map<String, String> keywordValues(String s) {
        Map<String, String> settings = new LinkedHashMap<>();
        String last = null; // the last keyword read, to say where a fault is without showing it
        int n = s.length();
        int i = 0;
        while (true) {
            i = skipSpaces(s, i);
            if (i >= n) {
                return settings;
            }
            int start = i;
            while (i < n && s.charAt(i) != '=' && !isSpace(s.charAt(i))) {
                i++;
            }
            String keyword = s.substring(start, i);
            i = skipSpaces(s, i);
            if (i >= n || s.charAt(i) != '=') {
                throw error(shown(settings, true), where(last) + " has no '=' (each setting is keyword=value; "
                        + "quote a value with spaces: keyword='a b')");
            }
            if (keyword.isEmpty()) {
                throw error(shown(settings, true), where(last) + " has no keyword before its '='");
            }
            i = skipSpaces(s, i + 1);
            StringBuilder value = new StringBuilder();
            if (i < n && s.charAt(i) == '\'') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw error(shown(settings, true), "the quoted value of '" + keyword
                                + "' has no closing quote (write a quote inside a value as \\' and a backslash as \\\\)");
                    }
                    if (s.charAt(i) == '\'') {
                        i++;
                        break;
                    }
                    i = appendChar(s, i, value);
                }
            } else {
                // unquoted: up to the next space; like libpq, a backslash at the very end is dropped
                while (i < n && !isSpace(s.charAt(i))) {
                    i = appendChar(s, i, value);
                }
            }
            settings.put(keyword, value.toString());
            last = keyword;
        }
    }

    /** Appends the character at {@code i}, or the one a backslash there escapes; returns the next index. */
    private static int appendChar(String s, int i, StringBuilder value) {
        char c = s.charAt(i++);
        if (c != '\\') {
            value.append(c);
        } else if (i < s.length()) {
            value.append(s.charAt(i++));
        }
        return i;
    }

    /** libpq's separators are C isspace(): narrower than Java's whitespace. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static String where(String lastKeyword) {
        return lastKeyword == null ? "the first setting" : "the setting after " + lastKeyword;
    }

    /** Settings for an error message: values masked unless listed in SHOWN_VALUES; "..." when cut short. */
    private static String shown(Map<String, String> settings, boolean cut) {
        List<String> parts = new ArrayList<>();
        settings.forEach((k, v) -> parts.add(k + "=" + (SHOWN_VALUES.contains(k) ? quoted(v) : "***")));
        if (cut) {
            parts.add("...");
        }
        return String.join(" ", parts);
    }

    /** A value as it would be written in a keyword/value string. */
    private static String quoted(String value) {
        if (!value.isEmpty() && value.chars().noneMatch(c -> isSpace((char) c) || c == '\'' || c == '\\')) {
            return value;
        }
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /**
     * libpq's pairing of comma lists: one port per host, or a single port for every host; an empty item
     * means the default (localhost, the driver's port).
     */
    private static String pairedHosts(String hostList, String portList, String shown) {
        String[] hosts = hostList == null ? new String[] {""} : hostList.split(",", -1);
        String[] ports = portList == null ? new String[] {""} : portList.split(",", -1);
        if (ports.length != 1 && ports.length != hosts.length) {
            throw error(shown, ports.length + " ports for " + hosts.length
                    + " hosts; give one port per host or a single port for all");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < hosts.length; i++) {
            String host = hosts[i];
            // libpq takes a bare IPv6 address (two or more ':'); pgjdbc needs it in brackets
            if (host.indexOf(':') != host.lastIndexOf(':') && !host.startsWith("[")) {
                host = "[" + host + "]";
            }
            String port = ports.length == 1 ? ports[0] : ports[i];
            out.add(jdbcHost(host, port.isEmpty() ? null : port, shown));
        }
        return String.join(",", out);
    }

    private static String jdbcUrl(String jdbcHosts, String database) {
        return "jdbc:postgresql://" + jdbcHosts + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
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

    /** As {@link #fromEnvironment()}, reading variables through {@code env} (the tests' own environment). */
    static Optional<ConnectionUrl> fromEnvironment(Function<String, String> env) {
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
            if (!port.isEmpty() && !port.startsWith(":")) {
                throw error(redact(original), PORT_RANGE);
            }
            out.add(jdbcHost(decode(host, original, "host"), port.isEmpty() ? null : port.substring(1), redact(original)));
        }
        return String.join(",", out);
    }

    /** One checked {@code host[:port]} for the pgjdbc URL; an empty host is localhost, a null port the default. */
    private static String jdbcHost(String host, String port, String shown) {
        if (port != null && !validPort(port)) {
            throw error(shown, PORT_RANGE);
        }
        if (host.isEmpty()) {
            host = "localhost";
        }
        if (host.startsWith("/")) {
            throw error(shown, UNIX_SOCKET);
        }
        if (!host.matches("[A-Za-z0-9._\\-]+|\\[[0-9A-Fa-f:.%]+]")) {
            throw error(shown, "the host is not a valid host name (letters, digits, '.', '-', or [IPv6])");
        }
        return port == null ? host : host + ":" + port;
    }

    private static boolean validPort(String port) {
        return port.matches("\\d{1,5}") && Integer.parseInt(port) <= 65535;
    }

    /** A setting under pgjdbc's property name; libpq's target_session_attrs values become pgjdbc's. */
    private static void putProperty(Map<String, String> params, String name, String value) {
        String property = RENAMED.getOrDefault(name, name);
        params.put(property, property.equals("targetServerType") ? targetServerType(value) : value);
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
