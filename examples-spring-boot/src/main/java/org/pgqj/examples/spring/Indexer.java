package org.pgqj.examples.spring;

import org.pgqj.spring.PgqjHandler;
import org.pgqj.worker.JobContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

// tag::handler[]
/** The worker side: a bean method is the handler of index_article; the starter's worker calls it. */
@Component
public class Indexer {

    private static final Logger LOG = LoggerFactory.getLogger(Indexer.class);
    private final Articles articles;

    public Indexer(Articles articles) {
        this.articles = articles;
    }

    @PgqjHandler("index_article")
    public void index(IndexArticle task, JobContext context) {
        articles.markIndexed(task.articleId());
        LOG.info("Indexed article {} (job {})", task.articleId(), context.job().id());
    }
}
// end::handler[]
