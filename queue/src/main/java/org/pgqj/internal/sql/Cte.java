package org.pgqj.internal.sql;

import org.jooq.CommonTableExpression;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * Column references into a CTE by unqualified name. The render mapping of {@code QueueTables} maps
 * every schema-less qualifier into the install's schema, CTE names included
 * ({@code "public"."claimed"."id"}), which PostgreSQL rejects; so CTE columns get names unique within
 * their statement (e.g. {@code p_entrypoint}) and are referenced without a qualifier (a statement
 * that reads one CTE, or joins with USING, may use the CTE's own column names).
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class Cte {

    private Cte() {
    }

    /** Column {@code column} of {@code cte} (named for the reader; the reference is unqualified). */
    public static <T> Field<T> col(CommonTableExpression<?> cte, String column, Class<T> type) {
        return DSL.field(DSL.name(column), type);
    }

    /** Column {@code column} of {@code cte}, of a jOOQ data type (e.g. the status enum's). */
    public static <T> Field<T> col(CommonTableExpression<?> cte, String column, DataType<T> type) {
        return DSL.field(DSL.name(column), type);
    }
}
