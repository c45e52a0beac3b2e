package org.pgqj.spring.autoconfigure;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.payload.Entrypoint;
import org.pgqj.spring.PgqjHandler;
import org.pgqj.spring.TransactionalJobQueue;
import org.pgqj.worker.JobContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/** A small app for the tests: publish an article and enqueue its indexing in one transaction. */
class Blog {

    /** The payload of index_article. */
    @Entrypoint("index_article")
    record IndexArticle(long articleId) {
    }

    private final List<Long> indexed = new CopyOnWriteArrayList<>();
    private final DSLContext dsl;
    private final JobQueue queue;
    private final TransactionalJobQueue jobs;
    private final JdbcTemplate jdbc;

    Blog(DSLContext dsl, JobQueue queue, TransactionalJobQueue jobs, JdbcTemplate jdbc) {
        this.dsl = dsl;
        this.queue = queue;
        this.jobs = jobs;
        this.jdbc = jdbc;
    }

    /** With jOOQ: the app's DSLContext joins the @Transactional transaction, and so does the enqueue. */
    @Transactional
    public long publishWithJooq(String title, boolean fail) {
        long id = dsl.insertInto(DSL.table("article"), DSL.field("title"), DSL.field("status"))
                .values(title, "published").returning(DSL.field("id", Long.class)).fetchOne().get(0, Long.class);
        queue.enqueue(dsl, new IndexArticle(id));
        if (fail) {
            throw new IllegalStateException("publishing '" + title + "' failed after the enqueue");
        }
        return id;
    }

    // tag::jdbc[]
    /** Without jOOQ: JdbcTemplate for the app's write, TransactionalJobQueue for the job. */
    @Transactional
    public long publishWithJdbc(String title, boolean fail) {
        Long id = jdbc.queryForObject("INSERT INTO article (title, status) VALUES (?, 'published') RETURNING id",
                Long.class, title);
        jobs.enqueue(new IndexArticle(id));
        if (fail) {
            throw new IllegalStateException("publishing '" + title + "' failed after the enqueue");
        }
        return id;
    }
    // end::jdbc[]

    /** Article ids indexed so far (a method: the bean is a transaction proxy). */
    public List<Long> indexed() {
        return indexed;
    }

    @PgqjHandler("index_article")
    public void index(IndexArticle article, JobContext context) {
        indexed.add(article.articleId());
    }
}
