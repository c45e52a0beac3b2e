package org.pgqj.spring.autoconfigure;

import io.opentelemetry.api.OpenTelemetry;
import org.pgqj.tracing.OpenTelemetryTracing;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Spans for enqueue ({@code send}/{@code create}) and handlers ({@code process}) with the W3C context in
 * {@code headers["otel"]}, as pgqueuer's OpenTelemetry adapter writes and reads them, when the app has
 * pgqj-tracing and an {@link OpenTelemetry} bean (Spring Boot's OpenTelemetry support, or the app's own).
 * {@code pgqj.tracing.enabled=false} turns it off.
 */
@AutoConfiguration(after = PgqjAutoConfiguration.class,
        afterName = "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration")
@ConditionalOnClass({OpenTelemetry.class, OpenTelemetryTracing.class})
@ConditionalOnBean(OpenTelemetry.class)
@ConditionalOnProperty(prefix = "pgqj.tracing", name = "enabled", matchIfMissing = true)
public class PgqjTracingAutoConfiguration {

    /** Both an enqueue and a handler interceptor: the JobQueue and the Worker pick it up. */
    @Bean
    @ConditionalOnMissingBean
    @Order(Ordered.HIGHEST_PRECEDENCE + 10) // outermost: every other interceptor runs inside the process span
    public OpenTelemetryTracing pgqjTracing(OpenTelemetry openTelemetry) {
        return OpenTelemetryTracing.using(openTelemetry);
    }
}
