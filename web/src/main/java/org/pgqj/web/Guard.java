package org.pgqj.web;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The dashboard's protections: HTTP Basic (when credentials are configured), a double-submit CSRF token for
 * every POST, and response headers that keep the pages from running foreign script or being framed.
 */
final class Guard {

    static final String CSRF_COOKIE = "pgqj_csrf";
    static final String CSRF_FIELD = "csrf";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Optional<Dashboard.Credentials> credentials;

    Guard(Optional<Dashboard.Credentials> credentials) {
        this.credentials = credentials;
    }

    /** Whether HTTP Basic is required. */
    boolean enabled() {
        return credentials.isPresent();
    }

    /** Headers on every answer: only our own script and styles, no framing, no sniffing, no caching. */
    static void secureHeaders(HttpServletResponse resp) {
        resp.setHeader("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "
                + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("X-Frame-Options", "DENY");
        resp.setHeader("Referrer-Policy", "same-origin");
        resp.setHeader("Cache-Control", "no-store");
    }

    /** True when no credentials are configured or the request carries the right ones (compared in constant time). */
    boolean authorized(HttpServletRequest req) {
        if (credentials.isEmpty()) {
            return true;
        }
        String header = req.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        Dashboard.Credentials c = credentials.get();
        // both compared, always: the time taken says nothing about which part was wrong
        boolean user = MessageDigest.isEqual(bytes(decoded.substring(0, colon)), bytes(c.user()));
        boolean password = MessageDigest.isEqual(bytes(decoded.substring(colon + 1)), bytes(c.password()));
        return user & password;
    }

    /**
     * Who sends an authorized request, for the log of an action: the Basic user, else the container's or Spring
     * Security's authenticated user, else "anonymous".
     */
    String user(HttpServletRequest req) {
        if (credentials.isPresent()) {
            return credentials.get().user(); // authorized() passed: the request carries exactly this user
        }
        return Objects.requireNonNullElse(req.getRemoteUser(), "anonymous");
    }

    static void challenge(HttpServletResponse resp) {
        resp.setHeader("WWW-Authenticate", "Basic realm=\"pgqj\", charset=\"UTF-8\"");
        resp.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
    }

    /** The request's CSRF token; a fresh one is set as a cookie when it has none. */
    static String csrfToken(HttpServletRequest req, HttpServletResponse resp, String cookiePath) {
        Optional<String> existing = cookie(req);
        if (existing.isPresent()) {
            return existing.get();
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Cookie cookie = new Cookie(CSRF_COOKIE, token);
        cookie.setPath(cookiePath);
        cookie.setHttpOnly(true);
        cookie.setSecure(req.isSecure());
        cookie.setAttribute("SameSite", "Strict");
        resp.addCookie(cookie);
        return token;
    }

    /** A POST is accepted only when its form field repeats the token of its cookie (double submit). */
    static boolean csrfValid(HttpServletRequest req) {
        Optional<String> cookie = cookie(req);
        String field = req.getParameter(CSRF_FIELD);
        return cookie.isPresent() && field != null && MessageDigest.isEqual(bytes(cookie.get()), bytes(field));
    }

    private static Optional<String> cookie(HttpServletRequest req) {
        Cookie[] cookies = req.getCookies();
        if (cookies == null) {
            return Optional.empty();
        }
        for (Cookie c : cookies) {
            if (CSRF_COOKIE.equals(c.getName()) && c.getValue() != null && TOKEN.matcher(c.getValue()).matches()) {
                return Optional.of(c.getValue());
            }
        }
        return Optional.empty();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
