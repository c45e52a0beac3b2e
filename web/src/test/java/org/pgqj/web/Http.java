package org.pgqj.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** A small HTTP client with its own cookie jar (the CSRF cookie), optional Basic credentials, no redirects followed. */
final class Http {

    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    private final String root;
    private final HttpClient client;
    private final Optional<String> authorization;

    Http(String root, String user, String password) {
        this.root = root;
        this.client = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.authorization = user == null ? Optional.empty() : Optional.of("Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    static Http anonymous(String root) {
        return new Http(root, null, null);
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    /** POSTs a form; {@code fields} are name, value pairs. */
    HttpResponse<String> post(String path, String... fields) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < fields.length; i += 2) {
            parts.add(URLEncoder.encode(fields[i], StandardCharsets.UTF_8) + "=" + URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
        }
        return send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(String.join("&", parts))).build());
    }

    /** The CSRF token a page put in its forms. */
    static String csrf(HttpResponse<String> page) {
        Matcher m = CSRF.matcher(page.body());
        if (!m.find()) {
            throw new AssertionError("no CSRF field on the page:\n" + page.body());
        }
        return m.group(1);
    }

    /** Opens an event stream; its {@code data:} lines arrive in the queue (read on a thread of the client's). */
    BlockingQueue<String> events(String path) {
        BlockingQueue<String> data = new LinkedBlockingQueue<>();
        client.sendAsync(request(path).header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofLines())
                // async on a thread of its own: when the headers are already in, a plain thenAccept would read the
                // endless stream on the caller's thread
                .thenAcceptAsync(resp -> {
                    if (resp.statusCode() != 200) {
                        data.add("status " + resp.statusCode());
                        return;
                    }
                    try (Stream<String> lines = resp.body()) {
                        lines.filter(l -> l.startsWith("data: ")).forEach(l -> data.add(l.substring(6)));
                    } catch (UncheckedIOException ignored) {
                        // the stream ended with the server
                    }
                }, r -> Thread.ofVirtual().name("sse-reader").start(r));
        return data;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(20));
        authorization.ifPresent(a -> b.header("Authorization", a));
        return b;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
