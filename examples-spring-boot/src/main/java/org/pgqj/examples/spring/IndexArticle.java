package org.pgqj.examples.spring;

import org.pgqj.payload.Entrypoint;

/** Payload of {@code index_article}: the JSON {@code {"articleId": 42}} a Python worker could read too. */
@Entrypoint("index_article")
public record IndexArticle(long articleId) {
}
