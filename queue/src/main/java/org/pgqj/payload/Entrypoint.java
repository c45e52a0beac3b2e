package org.pgqj.payload;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the entrypoint a payload type belongs to, so enqueueing a value needs no name and a worker
 * registers a typed handler by type alone.
 *
 * <pre>{@code
 * @Entrypoint("index_article")
 * public record IndexArticle(long articleId) { }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Entrypoint {
    /** The entrypoint name, as a Python worker registers it ({@code @pgq.entrypoint("index_article")}). */
    String value();
}
