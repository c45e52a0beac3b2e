package org.pgqj.examples.spring;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import java.time.OffsetDateTime;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.pgqj.enqueue.JobQueue;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The blog's service: drafts, and the publish that enqueues the article's indexing in its own transaction. */
@Service
public class Articles {

    static final Table<Record> ARTICLE = table(name("article"));
    static final Field<Long> ID = field(name("id"), Long.class);
    static final Field<String> TITLE = field(name("title"), String.class);
    static final Field<String> AUTHOR_EMAIL = field(name("author_email"), String.class);
    static final Field<String> STATUS = field(name("status"), String.class);
    static final Field<OffsetDateTime> INDEXED_AT = field(name("indexed_at"), OffsetDateTime.class);

    /** One article as the REST endpoint shows it. */
    public record Article(long id, String title, String status, Optional<OffsetDateTime> indexedAt) {
    }

    private final DSLContext db;
    private final JobQueue queue;

    /** With Spring Boot's DSLContext (bound to Spring's transactions) and the starter's JobQueue. */
    public Articles(DSLContext db, JobQueue queue) {
        this.db = db;
        this.queue = queue;
    }

    /** Creates a draft; returns its id. */
    @Transactional
    public long draft(String title, String authorEmail) {
        return db.insertInto(ARTICLE, TITLE, AUTHOR_EMAIL).values(title, authorEmail).returning(ID).fetchOne(ID);
    }

    // tag::publish[]
    /**
     * Publishes an article and enqueues its indexing: both commit together, or neither happens.
     *
     * @param failAfterEnqueue simulate a failure after the enqueue (a payment service down, say)
     * @return the id of the index_article job
     */
    @Transactional
    public long publish(long articleId, boolean failAfterEnqueue) {
        int updated = db.update(ARTICLE).set(STATUS, "published").where(ID.eq(articleId)).execute();
        if (updated != 1) {
            throw new ArticleNotFoundException(articleId);
        }
        long jobId = queue.enqueue(db, new IndexArticle(articleId)); // same connection, same transaction
        if (failAfterEnqueue) {
            throw new IllegalStateException("publishing article " + articleId + " failed; the job rolls back with it");
        }
        return jobId;
    }
    // end::publish[]

    /** The article, if it exists. */
    @Transactional(readOnly = true)
    public Optional<Article> find(long articleId) {
        return db.select(ID, TITLE, STATUS, INDEXED_AT).from(ARTICLE).where(ID.eq(articleId))
                .fetchOptional(r -> new Article(r.value1(), r.value2(), r.value3(), Optional.ofNullable(r.value4())));
    }

    /** Marks an article indexed (what the index_article handler does). */
    @Transactional
    public void markIndexed(long articleId) {
        db.update(ARTICLE).set(INDEXED_AT, OffsetDateTime.now()).where(ID.eq(articleId)).execute();
    }

    /** No article has this id. */
    public static final class ArticleNotFoundException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ArticleNotFoundException(long id) {
            super("No article " + id);
        }
    }
}
