package org.pgqj.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serial;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jooq.exception.DataAccessException;
import org.pgqj.admin.BulkResult;
import org.pgqj.admin.DoctorFinding;
import org.pgqj.admin.DoctorOptions;
import org.pgqj.admin.PauseResult;
import org.pgqj.admin.QueueDoctor;
import org.pgqj.core.PgqjException;
import org.pgqj.core.QueueTables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pgqueuer dashboard as one Jakarta servlet: overview, jobs, job detail, failures (filters, groups, requeue
 * and cancel one, many or all matching), live workers, charts, tables, schedules (run now), and live updates by
 * server-sent events; on every page, a banner of what {@link QueueDoctor} finds. Mount it anywhere a servlet container runs: standalone
 * with {@link DashboardServer}, or under a path of an application (map it to {@code /pgqj/*} with
 * async support on; links follow the context and servlet path).
 *
 * <p>Security: HTTP Basic when {@link Builder#basicAuth credentials} are set (pgqueuer's
 * {@code PGQUEUER_WEB_USER} / {@code PGQUEUER_WEB_PASSWORD}, see {@link Builder#basicAuthFromEnvironment()});
 * actions are POSTs with a double-submit CSRF token; {@link Builder#readOnly read-only} offers none; every value
 * is HTML-escaped by the templates and a strict Content-Security-Policy allows only the dashboard's own script.
 *
 * <p>{@link #init()} starts one {@code LISTEN} for all viewers; {@link #destroy()} stops it.
 */
public final class Dashboard extends HttpServlet {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
    private static final Pattern JOB_PATH = Pattern.compile("/jobs/(\\d{1,19})");
    private static final Map<String, String> ASSETS = Map.of(
            "dashboard.css", "text/css;charset=UTF-8",
            "dashboard.js", "text/javascript;charset=UTF-8");
    private static final int MAX_IDS = 1000;
    private static final String STARTED = Dashboard.class.getName() + ".started";
    private static final List<String> ACTIONS = List.of("/actions/requeue", "/actions/cancel",
            "/actions/failures/requeue", "/actions/failures/cancel", "/actions/schedules/run-now", "/actions/pause",
            "/actions/resume");
    /** Longest entrypoint name the pause form takes (pgqueuer sets no limit; a name is a short identifier). */
    private static final int MAX_ENTRYPOINT = 200;

    /**
     * HTTP Basic credentials. {@link #toString()} never shows the password.
     *
     * @param user     the user name
     * @param password the password
     */
    public record Credentials(String user, String password) {
        /** Validates: neither part empty, no colon in the user (Basic cannot carry one). */
        public Credentials {
            if (user == null || user.isEmpty() || password == null || password.isEmpty()) {
                throw new IllegalArgumentException("Basic auth needs a non-empty user and password");
            }
            if (user.indexOf(':') >= 0) {
                throw new IllegalArgumentException("Basic auth user must not contain ':' (got '" + user + "')");
            }
        }

        @Override
        public String toString() {
            return "Credentials[user=" + user + ", password=***]";
        }
    }

    private final transient DataSource dataSource;
    private final transient QueueTables tables;
    private final transient DashboardQueries queries;
    private final transient DoctorBanner doctor;
    private final transient Guard guard;
    private final boolean readOnly;
    private final Duration healthCheckInterval;
    private final transient TemplateEngine templates;
    private final transient Map<String, byte[]> assets = new LinkedHashMap<>();
    private transient volatile LiveFeed feed;

    private Dashboard(Builder b) {
        this.dataSource = b.dataSource;
        this.tables = b.tables;
        this.queries = new DashboardQueries(b.dataSource, b.tables, b.staleAfter, b.pageSize);
        this.doctor = new DoctorBanner(b.dataSource, b.tables, b.doctorOptions.orElseGet(() -> DoctorOptions.builder()
                .staleAfter(b.staleAfter).build()), b.doctorEvery);
        this.guard = new Guard(b.credentials);
        this.readOnly = b.readOnly;
        this.healthCheckInterval = b.healthCheckInterval;
        this.templates = TemplateEngine.createPrecompiled(null, ContentType.Html, Dashboard.class.getClassLoader(),
                "org.pgqj.web");
        for (String name : ASSETS.keySet()) {
            try (InputStream in = Dashboard.class.getResourceAsStream("assets/" + name)) {
                assets.put(name, Objects.requireNonNull(in, "asset " + name + " missing from the jar").readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A dashboard over this install's tables, reading through {@code dataSource} (a pool is best). */
    public static Builder builder(DataSource dataSource, QueueTables tables) {
        return new Builder(dataSource, tables);
    }

    /** Whether actions (requeue, cancel) are off. */
    public boolean readOnly() {
        return readOnly;
    }

    /** Whether the live-update LISTEN connection is up (false before {@link #init()}). */
    public boolean isListening() {
        LiveFeed f = feed;
        return f != null && f.isListening();
    }

    /** Waits until the live-update LISTEN is in place; false on timeout or before {@link #init()}. */
    public boolean awaitListening(Duration timeout) throws InterruptedException {
        LiveFeed f = feed;
        return f != null && f.awaitListening(timeout);
    }

    /** Starts the one LISTEN connection that feeds every viewer's live updates. */
    @Override
    public void init() {
        feed = new LiveFeed(dataSource, tables, queries, healthCheckInterval);
        LOG.info("pgqj dashboard on {} ({}{})", tables, readOnly ? "read-only" : "actions on",
                guard.enabled() ? ", HTTP Basic" : ", no authentication");
    }

    /** Stops the LISTEN connection and ends the open event streams. */
    @Override
    public void destroy() {
        LiveFeed f = feed;
        feed = null;
        if (f != null) {
            f.close();
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        req.setAttribute(STARTED, System.nanoTime());
        Guard.secureHeaders(resp);
        if (!guard.authorized(req)) {
            Guard.challenge(resp);
            plain(resp, "Authentication required.\n");
            return;
        }
        String base = base(req);
        String path = path(req);
        if (path.isEmpty()) {
            // set by hand: sendRedirect(String) is abstract in Servlet 6.0 and a default method in 6.1
            resp.setStatus(HttpServletResponse.SC_FOUND);
            resp.setHeader("Location", base + "/");
            return;
        }
        try {
            switch (req.getMethod()) {
                case "GET", "HEAD" -> get(req, resp, base, path);
                case "POST" -> post(req, resp, base, path);
                default -> {
                    resp.setHeader("Allow", "GET, HEAD, POST");
                    error(req, resp, base, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "Method not allowed.");
                }
            }
        } catch (IllegalArgumentException e) {
            error(req, resp, base, HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
        } catch (PgqjException | DataAccessException e) {
            LOG.warn("Dashboard request {} {} failed: {}", req.getMethod(), path, e.getMessage());
            error(req, resp, base, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    "The database did not answer: " + e.getMessage());
        }
    }

    private void get(HttpServletRequest req, HttpServletResponse resp, String base, String path) throws IOException {
        Matcher job = JOB_PATH.matcher(path);
        switch (path) {
            case "/" -> page(req, resp, base, "overview", "Overview", q -> {
                Views.Sizes sizes = queries.sizes(q);
                return Map.of("o", queries.overview(q, sizes, throughput(q, sizes.at())));
            });
            case "/jobs" -> {
                JobFilter filter;
                try {
                    filter = JobFilter.parse(req::getParameter);
                } catch (IllegalArgumentException e) {
                    page(req, resp, base, "jobs", "Jobs", q -> Map.of("j", new Views.JobsPage(JobFilter.none(), List.of(),
                            Optional.empty(), Optional.empty(), entrypoints(), Optional.of(e.getMessage()))));
                    return;
                }
                page(req, resp, base, "jobs", "Jobs", q -> Map.of("j", queries.jobs(q, filter, entrypoints())));
            }
            case "/failures" -> {
                FailureFilter filter;
                try {
                    filter = FailureFilter.parse(req::getParameter);
                } catch (IllegalArgumentException e) {
                    page(req, resp, base, "failures", "Failures", q -> Map.of("f", new Views.Failures(FailureFilter.none(),
                            0, 0, List.of(), List.of(), Optional.empty(), entrypoints(), List.of(),
                            Optional.of(e.getMessage()))));
                    return;
                }
                page(req, resp, base, "failures", "Failures", q -> Map.of("f", queries.failures(q, filter, queries.now(q))));
            }
            case "/failures/confirm" -> {
                String action = bulkAction(req.getParameter("action"));
                FailureFilter filter = FailureFilter.parse(req::getParameter);
                page(req, resp, base, "confirm", "Confirm", q -> Map.of("c", queries.confirm(q, action, filter)));
            }
            case "/workers" -> page(req, resp, base, "workers", "Workers",
                    q -> Map.of("w", queries.workers(q, entrypoints())));
            case "/charts" -> {
                Duration window = JobFilter.age(Objects.requireNonNullElse(req.getParameter("window"), "1h"));
                if (!Durations.WINDOWS.contains(JobFilter.ageText(window))) {
                    throw new IllegalArgumentException("window must be one of " + Durations.WINDOWS + " (got '"
                            + req.getParameter("window") + "')");
                }
                page(req, resp, base, "charts", "Charts", q -> Map.of("c", new Views.Charts(
                        throughput(q, queries.now(q)), queries.durations(q, window))));
            }
            case "/tables" -> page(req, resp, base, "tables", "Tables", q -> Map.of("t", queries.tables(q)));
            case "/schedules" -> page(req, resp, base, "schedules", "Schedules",
                    q -> Map.of("s", queries.schedules(q, queries.now(q))));
            case "/events" -> events(req, resp);
            case "/healthz" -> plain(resp, isListening() ? "ok\n" : "ok (live updates reconnecting)\n");
            default -> {
                if (job.matches()) {
                    long id = Long.parseLong(job.group(1));
                    page(req, resp, base, "job", "Job " + id, q -> Map.of("d", queries.job(q, id)));
                } else if (path.startsWith("/assets/") && ASSETS.containsKey(path.substring(8))) {
                    String name = path.substring(8);
                    resp.setContentType(ASSETS.get(name));
                    resp.setHeader("Cache-Control", "max-age=300");
                    resp.getOutputStream().write(assets.get(name));
                } else {
                    error(req, resp, base, HttpServletResponse.SC_NOT_FOUND, "No such page: " + path);
                }
            }
        }
    }

    private static String bulkAction(String action) {
        if (!"requeue".equals(action) && !"cancel".equals(action)) {
            throw new IllegalArgumentException("action must be requeue or cancel (got '" + action + "')");
        }
        return action;
    }

    private void post(HttpServletRequest req, HttpServletResponse resp, String base, String path) throws IOException {
        if (!ACTIONS.contains(path)) {
            error(req, resp, base, HttpServletResponse.SC_NOT_FOUND, "No such action: " + path);
            return;
        }
        if (readOnly) {
            error(req, resp, base, HttpServletResponse.SC_FORBIDDEN, "This dashboard is read-only: no actions.");
            return;
        }
        if (!Guard.csrfValid(req)) {
            error(req, resp, base, HttpServletResponse.SC_FORBIDDEN,
                    "The form's CSRF token is missing or wrong: reload the page and try again.");
            return;
        }
        String back = switch (path) {
            case "/actions/requeue", "/actions/cancel" -> byIds(req, path.equals("/actions/requeue"));
            case "/actions/failures/requeue", "/actions/failures/cancel" -> bulk(req, path.endsWith("/requeue"));
            case "/actions/pause", "/actions/resume" -> pause(req, path.equals("/actions/pause"));
            default -> runNow(req);
        };
        LiveFeed f = feed;
        if (f != null) {
            f.changed();
        }
        resp.setStatus(HttpServletResponse.SC_SEE_OTHER); // after a POST, the browser GETs the page
        resp.setHeader("Location", base + back);
    }

    /** Requeue or cancel the selected jobs; returns where the browser goes next. */
    private String byIds(HttpServletRequest req, boolean requeue) {
        List<Long> ids = ids(req.getParameterValues("ids"));
        List<Long> done = requeue ? queries.requeue(ids) : queries.cancel(ids);
        LOG.info("Dashboard {} {} of {} jobs: {}", requeue ? "requeued" : "canceled", done.size(), ids.size(), done);
        String page = switch (Objects.requireNonNullElse(req.getParameter("return"), "failures")) {
            case "jobs" -> "/jobs";
            case "job" -> ids.size() == 1 ? "/jobs/" + ids.get(0) : "/failures";
            default -> "/failures";
        };
        return page + "?" + (requeue ? "requeued=" : "canceled=") + done.size() + "&of=" + ids.size();
    }

    /**
     * Requeue or cancel every held job the filter matches that was held when the operator saw the count
     * ({@code asof}, from the confirmation page), in batches; returns the failures page with the same filter.
     */
    private String bulk(HttpServletRequest req, boolean requeue) {
        FailureFilter filter = FailureFilter.parse(req::getParameter);
        Instant asOf;
        long expected;
        try {
            asOf = Instant.parse(Objects.requireNonNullElse(req.getParameter("asof"), ""));
            expected = Long.parseLong(Objects.requireNonNullElse(req.getParameter("expected"), ""));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("A bulk action needs the count it was confirmed with (asof, expected): "
                    + "start from the failures page");
        }
        BulkResult done = requeue ? queries.requeueHeld(filter, asOf) : queries.cancelHeld(filter, asOf);
        LOG.info("Dashboard {} {} held jobs ({} confirmed) matching {} in {} batches", requeue ? "requeued" : "canceled",
                done.jobs(), expected, filter.describe(), done.batches());
        return "/failures" + filter.query(requeue ? "requeued" : "canceled", Long.toString(done.jobs()), "of",
                Long.toString(expected));
    }

    /**
     * Pauses or resumes an entrypoint for every Java worker, naming the dashboard's user as who did it; returns the
     * workers page, whose paused table shows the result (and why Python workers may still claim it).
     */
    private String pause(HttpServletRequest req, boolean pause) {
        String entrypoint = Objects.requireNonNullElse(req.getParameter("entrypoint"), "").strip();
        if (entrypoint.isEmpty() || entrypoint.length() > MAX_ENTRYPOINT) {
            throw new IllegalArgumentException("Name the entrypoint to " + (pause ? "pause" : "resume") + " (1 to "
                    + MAX_ENTRYPOINT + " characters).");
        }
        PauseResult result = queries.pause(entrypoint, pause, "dashboard (" + guard.user(req) + ")");
        return "/workers?" + (pause ? "paused" : "resumed") + "=" + (result.changed() ? "1" : "0") + "#paused";
    }

    /** Makes a schedule due now; returns the schedules page with what happened. */
    private String runNow(HttpServletRequest req) {
        long id;
        try {
            id = Long.parseLong(Objects.requireNonNullElse(req.getParameter("id"), "").trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("A schedule id must be a whole number (got '" + req.getParameter("id") + "').");
        }
        boolean due = queries.runNow(id);
        LOG.info("Dashboard run now of schedule {}: {}", id, due ? "due now" : "not idle or gone");
        return "/schedules?schedule=" + id + "&run=" + (due ? "due" : "busy");
    }

    private static List<Long> ids(String[] values) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException("Select at least one job.");
        }
        if (values.length > MAX_IDS) {
            throw new IllegalArgumentException("At most " + MAX_IDS + " jobs at once (got " + values.length + ").");
        }
        List<Long> ids = new ArrayList<>(values.length);
        for (String v : values) {
            try {
                ids.add(Long.parseLong(v.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("A job id must be a whole number (got '" + v + "').");
            }
        }
        return ids;
    }

    private void events(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        LiveFeed f = feed;
        if (f == null || !req.isAsyncSupported()) {
            resp.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            plain(resp, f == null ? "The dashboard is not started.\n"
                    : "Live updates need async support: register the dashboard servlet with asyncSupported=true.\n");
            return;
        }
        resp.setContentType("text/event-stream");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("X-Accel-Buffering", "no"); // a proxy must pass each event on at once
        resp.flushBuffer();
        AsyncContext viewer = req.startAsync();
        f.add(viewer, "1".equals(req.getParameter("charts")));
    }

    /** The throughput chart, shared with the live feed (read at most every 2 s for all pages and viewers). */
    private Throughput throughput(org.jooq.DSLContext q, Instant now) {
        LiveFeed f = feed;
        return f == null ? queries.throughput(q, now) : f.throughput(() -> queries.throughput(q, now));
    }

    private List<String> entrypoints() {
        LiveFeed f = feed;
        return f == null ? List.of() : f.entrypoints();
    }

    private void page(HttpServletRequest req, HttpServletResponse resp, String base, String template, String title,
                      java.util.function.Function<org.jooq.DSLContext, Map<String, Object>> model) throws IOException {
        List<DoctorFinding> findings = doctor.findings(); // before the page's connection: a pool of one suffices
        Map<String, Object> params = new LinkedHashMap<>(queries.read(q -> {
            Map<String, Object> m = new LinkedHashMap<>(model.apply(q));
            m.put("page", new Views.Page(base, title, template, Guard.csrfToken(req, resp, cookiePath(base)), readOnly,
                    flash(req), queries.now(q), findings));
            return m;
        }));
        render(req, resp, template, params);
    }

    private static Optional<String> flash(HttpServletRequest req) {
        // numbers and closed words only: a link cannot make the page say anything else
        String of = req.getParameter("of");
        for (String action : List.of("requeued", "canceled")) {
            String n = req.getParameter(action);
            if (n != null && n.matches("\\d{1,9}") && of != null && of.matches("\\d{1,9}")) {
                return Optional.of(Character.toUpperCase(action.charAt(0)) + action.substring(1) + " " + n + " of "
                        + of + (of.equals("1") ? " job." : " jobs."));
            }
        }
        for (String action : List.of("paused", "resumed")) {
            String changed = req.getParameter(action);
            if ("1".equals(changed)) {
                return Optional.of("Entrypoint " + action + " for every Java worker; they are notified at once.");
            }
            if ("0".equals(changed)) {
                return Optional.of("Nothing changed: the entrypoint was " + (action.equals("paused") ? "paused already."
                        : "not paused."));
            }
        }
        String schedule = req.getParameter("schedule");
        if (schedule != null && schedule.matches("\\d{1,19}")) {
            String run = Objects.requireNonNullElse(req.getParameter("run"), "");
            if (run.equals("due")) {
                return Optional.of("Schedule " + schedule + " is due now: the next poll of a scheduler that "
                        + "registered it runs it once, then it keeps its regular times.");
            }
            if (run.equals("busy")) {
                return Optional.of("Schedule " + schedule + " was not made due: it is running now, or gone.");
            }
        }
        return Optional.empty();
    }

    private void error(HttpServletRequest req, HttpServletResponse resp, String base, int status, String message)
            throws IOException {
        resp.setStatus(status);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("page", new Views.Page(base, "Error " + status, "error", Guard.csrfToken(req, resp, cookiePath(base)),
                readOnly, Optional.empty(), Instant.now(), List.of()));
        params.put("status", status);
        params.put("message", message == null ? "" : message);
        render(req, resp, "error", params);
    }

    private void render(HttpServletRequest req, HttpServletResponse resp, String template, Map<String, Object> params)
            throws IOException {
        StringOutput out = new StringOutput(); // rendered whole first: a failure never leaves half a page
        templates.render(template + ".jte", params, out);
        if (req.getAttribute(STARTED) instanceof Long started) {
            // the page's server time (reads, rendering), shown by a browser's developer tools; the scale test reads it
            resp.setHeader("Server-Timing", String.format(Locale.ROOT, "app;dur=%.1f", (System.nanoTime() - started) / 1e6));
        }
        resp.setContentType("text/html;charset=UTF-8");
        resp.getWriter().write(out.toString());
    }

    private static void plain(HttpServletResponse resp, String text) throws IOException {
        resp.setContentType("text/plain;charset=UTF-8");
        resp.getWriter().write(text);
    }

    private static String cookiePath(String base) {
        return base.isEmpty() ? "/" : base;
    }

    /** Where the dashboard is mounted: context path plus, for a {@code /prefix/*} mapping, the servlet path. */
    static String base(HttpServletRequest req) {
        HttpServletMapping m = req.getHttpServletMapping();
        boolean prefix = m != null && m.getMappingMatch() == MappingMatch.PATH;
        return req.getContextPath() + (prefix ? req.getServletPath() : "");
    }

    /** The path inside the dashboard, e.g. {@code /jobs/12}; empty for the mount point itself without a slash. */
    static String path(HttpServletRequest req) {
        HttpServletMapping m = req.getHttpServletMapping();
        boolean prefix = m != null && m.getMappingMatch() == MappingMatch.PATH;
        String info = req.getPathInfo() == null ? "" : req.getPathInfo();
        return prefix ? info : req.getServletPath() + info;
    }

    @Override
    public String toString() {
        return "Dashboard[" + tables + (readOnly ? ", read-only" : "") + "]";
    }

    /**
     * Builds a {@link Dashboard}. Defaults: actions on, no authentication, 50 jobs a page, stale after 30 s, the
     * doctor's banner at most 30 s old.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private final QueueTables tables;
        private boolean readOnly;
        private Optional<Credentials> credentials = Optional.empty();
        private int pageSize = 50;
        private Duration staleAfter = Duration.ofSeconds(30);
        private Duration healthCheckInterval = Duration.ofSeconds(10);
        private Optional<DoctorOptions> doctorOptions = Optional.empty();
        private Duration doctorEvery = Duration.ofSeconds(30);

        private Builder(DataSource dataSource, QueueTables tables) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            this.tables = Objects.requireNonNull(tables, "tables");
        }

        /** No actions: requeue and cancel are neither shown nor accepted. */
        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /** Requires HTTP Basic with these credentials on every request. */
        public Builder basicAuth(String user, String password) {
            this.credentials = Optional.of(new Credentials(user, password));
            return this;
        }

        /**
         * Requires HTTP Basic when both {@code PGQUEUER_WEB_USER} and {@code PGQUEUER_WEB_PASSWORD} are set (as
         * pgqueuer's {@code pgq web}); leaves authentication off otherwise.
         */
        public Builder basicAuthFromEnvironment() {
            String user = System.getenv("PGQUEUER_WEB_USER");
            String password = System.getenv("PGQUEUER_WEB_PASSWORD");
            if (user != null && !user.isEmpty() && password != null && !password.isEmpty()) {
                basicAuth(user, password);
            }
            return this;
        }

        /** Jobs per page of the jobs list, 1 to 500. */
        public Builder pageSize(int pageSize) {
            if (pageSize < 1 || pageSize > 500) {
                throw new IllegalArgumentException("pageSize must be 1 to 500 (got " + pageSize + ")");
            }
            this.pageSize = pageSize;
            return this;
        }

        /** A picked job whose heartbeat is older than this counts as stale (pgqueuer's heartbeat timeout, 30 s). */
        public Builder staleAfter(Duration staleAfter) {
            if (staleAfter == null || staleAfter.isNegative() || staleAfter.isZero()) {
                throw new IllegalArgumentException("staleAfter must be positive (got " + staleAfter + ")");
            }
            this.staleAfter = staleAfter;
            return this;
        }

        /** How often the live-update LISTEN connection proves itself alive (default 10 s). */
        public Builder healthCheckInterval(Duration interval) {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("healthCheckInterval must be positive (got " + interval + ")");
            }
            this.healthCheckInterval = interval;
            return this;
        }

        /**
         * The thresholds of the doctor whose findings every page shows as a banner (default: {@link QueueDoctor}'s,
         * with this dashboard's {@link #staleAfter}, so the banner and the stale count agree).
         */
        public Builder doctorOptions(DoctorOptions options) {
            this.doctorOptions = Optional.of(Objects.requireNonNull(options, "options"));
            return this;
        }

        /**
         * How old the banner's findings may be (default 30 s): the doctor examines the queue at most this often for
         * all pages and viewers together.
         */
        public Builder doctorEvery(Duration every) {
            if (every == null || every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("doctorEvery must be positive (got " + every + ")");
            }
            this.doctorEvery = every;
            return this;
        }

        /** The servlet; register it with async support on (server-sent events). */
        public Dashboard build() {
            return new Dashboard(this);
        }
    }
}
