package org.pgqj.internal.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Param;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.Test;

/**
 * Rendering once and binding by name, without a database: each marker of the rendered text is matched
 * to the parameter declared for it, values are put in marker order, and anything undeclared or missing
 * fails with its name instead of binding the wrong value.
 */
class RenderedStatementTest {

    private final DSLContext dsl = DSL.using(SQLDialect.POSTGRES);

    @Test
    void markersAreBoundByNameInTheirRenderedOrder() {
        RenderedStatement.Params params = new RenderedStatement.Params();
        Param<UUID> worker = params.uuid("worker");
        Param<String> entrypoint = params.text("entrypoint");
        Param<Long[]> ids = params.bigintArray("ids");
        Param<Integer> limit = params.integer("limit");
        // declared in one order, used in another: the names follow the markers
        RenderedStatement statement = RenderedStatement.render(dsl.update(PGQUEUER)
                .set(PGQUEUER.QUEUE_MANAGER_ID, worker)
                .where(PGQUEUER.ID.eq(DSL.any(ids)), PGQUEUER.ENTRYPOINT.eq(entrypoint),
                        PGQUEUER.PRIORITY.lt(limit), PGQUEUER.ENTRYPOINT.ne(entrypoint)), params);
        assertEquals(5, statement.sql().chars().filter(c -> c == '?').count(), statement.sql());

        UUID id = UUID.randomUUID();
        Long[] array = {1L, 2L};
        Map<String, Object> values = new HashMap<>(Map.of("worker", id, "entrypoint", "send", "ids", array, "limit", 7));
        Object[] ordered = statement.inMarkerOrder(values);
        assertEquals(id, ordered[0]);
        assertSame(array, ordered[1]);
        assertArrayEquals(new Object[] {"send", 7, "send"}, new Object[] {ordered[2], ordered[3], ordered[4]},
                "a parameter used twice fills both of its markers");

        values.put("entrypoint", null);
        assertEquals(null, statement.inMarkerOrder(values)[2], "a null value is bound as NULL");
        values.remove("limit");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> statement.inMarkerOrder(values))
                .getMessage().contains("limit"));
    }

    @Test
    void typedArraysKeepTheirDeclaredType() {
        RenderedStatement.Params params = new RenderedStatement.Params();
        Param<String[]> texts = params.textArray("texts", SQLDataType.CLOB.array());
        Param<Integer[]> numbers = params.integerArray("numbers", SQLDataType.INTEGER.array());
        RenderedStatement statement = RenderedStatement.render(dsl.select(
                DSL.function("unnest", String.class, texts), DSL.function("unnest", Integer.class, numbers)), params);
        String[] t = {"a"};
        Integer[] n = {1};
        Object[] ordered = statement.inMarkerOrder(Map.of("texts", t, "numbers", n));
        assertSame(t, ordered[0]);
        assertSame(n, ordered[1]);
    }

    @Test
    void anUndeclaredBindValueFailsTheRendering() {
        RenderedStatement.Params params = new RenderedStatement.Params();
        Param<String> entrypoint = params.text("entrypoint");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RenderedStatement.render(
                dsl.selectFrom(PGQUEUER).where(PGQUEUER.ENTRYPOINT.eq(entrypoint), PGQUEUER.PRIORITY.eq(DSL.val(3))),
                params));
        assertTrue(e.getMessage().contains("undeclared bind value at marker 2"), e.getMessage());
    }

    @Test
    void aNameIsDeclaredOnce() {
        RenderedStatement.Params params = new RenderedStatement.Params();
        params.text("entrypoint");
        assertThrows(IllegalArgumentException.class, () -> params.integer("entrypoint"));
    }
}
