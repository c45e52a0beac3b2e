package com.example.shop;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.pgqj.enqueue.JobQueue;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Places orders: the order row and its ship_order job commit together, or neither exists. */
@Service
public class Orders {

    static final Table<Record> ORDERS = table(name("orders"));
    static final Field<Long> ID = field(name("id"), Long.class);
    static final Field<String> ITEM = field(name("item"), String.class);
    static final Field<String> STATUS = field(name("status"), String.class);

    private final DSLContext db;
    private final JobQueue queue;

    public Orders(DSLContext db, JobQueue queue) {
        this.db = db;
        this.queue = queue;
    }

    /** The order's id; {@code failAfterEnqueue} throws after the enqueue, so both roll back. */
    @Transactional
    public long place(String item, boolean failAfterEnqueue) {
        long id = db.insertInto(ORDERS, ITEM, STATUS).values(item, "placed").returning(ID).fetchOne(ID);
        queue.enqueue(db, new ShipOrder(id)); // Spring's transaction, through Boot's DSLContext
        if (failAfterEnqueue) {
            throw new IllegalStateException("payment declined for order " + id);
        }
        return id;
    }

    @Transactional
    public void markShipped(long id) {
        db.update(ORDERS).set(STATUS, "shipped").where(ID.eq(id)).execute();
    }

    public String status(long id) {
        return db.select(STATUS).from(ORDERS).where(ID.eq(id)).fetchOptional(STATUS).orElse("none");
    }
}
