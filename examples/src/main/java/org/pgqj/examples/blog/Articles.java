package org.pgqj.examples.blog;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import java.time.OffsetDateTime;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.pgqj.enqueue.JobQueue;

/** The blog's service code: the request path that publishes an article and enqueues its indexing. */
public final class Articles {

    static final Table<Record> ARTICLE = table(name("article"));
    static final Field<Long> ID = field(name("id"), Long.class);
    static final Field<String> TITLE = field(name("title"), String.class);
    static final Field<String> AUTHOR_EMAIL = field(name("author_email"), String.class);
    static final Field<String> STATUS = field(name("status"), String.class);
    static final Field<OffsetDateTime> INDEXED_AT = field(name("indexed_at"), OffsetDateTime.class);

    private final DSLContext db;
    private final JobQueue queue;

    public Articles(DSLContext db, JobQueue queue) {
        this.db = db;
        this.queue = queue;
    }

    /** Creates a draft. */
    public long draft(String title, String authorEmail) {
        return db.insertInto(ARTICLE, TITLE, AUTHOR_EMAIL).values(title, authorEmail).returning(ID).fetchOne(ID);
    }

    /**
     * Publishes an article: the row update and the {@code index_article} job commit together, or,
     * if anything fails, neither happened.
     *
     * @return the id of the index_article job
     */
    public long publish(long articleId) {
        return db.transactionResult(tx -> {
            int updated = tx.dsl().update(ARTICLE).set(STATUS, "published").where(ID.eq(articleId)).execute();
            if (updated != 1) {
                throw new IllegalArgumentException("No article " + articleId);
            }
            return queue.enqueue(tx.dsl(), new IndexArticle(articleId));
        });
    }

    /** As {@link #publish}, then fails before the commit: the whole transaction rolls back. */
    public void publishThenFail(long articleId) {
        db.transaction(tx -> {
            tx.dsl().update(ARTICLE).set(STATUS, "published").where(ID.eq(articleId)).execute();
            queue.enqueue(tx.dsl(), new IndexArticle(articleId));
            throw new IllegalStateException("payment service down: publishing article " + articleId + " rolled back");
        });
    }

    /** The article's status column. */
    public String status(long articleId) {
        return db.select(STATUS).from(ARTICLE).where(ID.eq(articleId)).fetchOne(STATUS);
    }

    /** Marks an article indexed (what the index_article task does). */
    void markIndexed(DSLContext dsl, long articleId) {
        dsl.update(ARTICLE).set(INDEXED_AT, OffsetDateTime.now()).where(ID.eq(articleId)).execute();
    }

    /** How many articles have been indexed. */
    public int indexedCount() {
        return db.fetchCount(ARTICLE, INDEXED_AT.isNotNull());
    }
}
