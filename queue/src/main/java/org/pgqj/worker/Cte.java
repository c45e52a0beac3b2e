package org.pgqj.worker;

import org.jooq.CommonTableExpression;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * Column references into a CTE by unqualified name. The render mapping of {@code QueueTables} maps
 * every schema-less qualifier into the install's schema, CTE names included
 * ({@code "public"."claimed"."id"}), which PostgreSQL rejects; so CTE columns get names unique within
 * their statement (e.g. {@code p_entrypoint}) and are referenced without a qualifier.
 */
final class Cte {

    private Cte() {
    }

    static <T> Field<T> col(CommonTableExpression<?> cte, String column, Class<T> type) {
        return DSL.field(DSL.name(column), type);
    }

    static <T> Field<T> col(CommonTableExpression<?> cte, String column, DataType<T> type) {
        return DSL.field(DSL.name(column), type);
    }
}
