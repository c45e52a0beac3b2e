package org.pgqj.cli.contracts;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.time.Instant;
import java.util.Optional;
import org.pgqj.payload.Entrypoint;
import org.pgqj.payload.PayloadCodec;

/** @Entrypoint records that `pgqj contract export` finds on the test classpath, and a codec for --codec. */
public final class Payloads {

    private Payloads() {
    }

    /** Python-style names. */
    public static PayloadCodec snakeCase() {
        return PayloadCodec.using(PayloadCodec.defaultObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }

    /** A payload. */
    @Entrypoint("send_welcome")
    public record SendWelcome(long userId, Instant signedUpAt, Optional<String> locale) { }

    /** Another. */
    @Entrypoint("index_article")
    public record IndexArticle(long articleId) { }
}
