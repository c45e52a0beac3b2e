package org.pgqj.examples.blog;

import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.pgqj.worker.JobContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The blog's job handlers: plain methods, easy to test with a fake job. */
public final class BlogTasks {

    private static final Logger LOG = LoggerFactory.getLogger(BlogTasks.class);

    private final DSLContext db;
    private final Articles articles;
    final AtomicInteger welcomesSent = new AtomicInteger();

    public BlogTasks(DSLContext db, Articles articles) {
        this.db = db;
        this.articles = articles;
    }

    /** index_article: look the article up and push it to the search index (here: stamp indexed_at). */
    public void indexArticle(IndexArticle job, JobContext context) {
        articles.markIndexed(db, job.articleId());
        LOG.info("indexed article {} (job {})", job.articleId(), context.job().id());
    }

    /** send_welcome: send the email (here: log it). */
    public void sendWelcome(SendWelcome job, JobContext context) {
        welcomesSent.incrementAndGet();
        LOG.info("sent welcome mail to {} (signed up {})", job.email(), job.signedUpAt());
    }
}
