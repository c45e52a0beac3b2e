package org.pgqj.internal.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DataType;
import org.jooq.Param;
import org.jooq.Query;
import org.jooq.conf.ParamType;
import org.jooq.impl.DSL;

/**
 * A hot statement (the worker's claim and complete, the enqueue), written in the jOOQ DSL and rendered
 * ONCE, then bound and run through pgjdbc (on a {@link DedicatedConnection}'s cached prepared statement,
 * or the caller's connection for the enqueue).
 *
 * <p>Why not run the jOOQ query each time: rendering and binding these CTE chains walks the whole
 * query tree (even a kept statement re-walks it to bind), which costs the worker more CPU per claim than
 * PostgreSQL spends running it.
 *
 * <p>Each value is declared through {@link Params} under a name with a sample value unique to it, so
 * the bind markers of the rendered text can be matched to names; a marker that matches no declared
 * parameter fails the rendering (an accidental {@code val(...)} would otherwise be frozen in).
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class RenderedStatement {

    private final String sql;
    private final String[] markerNames;

    private RenderedStatement(String sql, String[] markerNames) {
        this.sql = sql;
        this.markerNames = markerNames;
    }

    /** The rendered text (positional {@code ?} markers). */
    public String sql() {
        return sql;
    }

    /** Renders {@code query}, whose every bind value was declared through {@code params}. */
    public static RenderedStatement render(Query query, Params params) {
        String sql = query.getSQL(ParamType.INDEXED);
        List<Object> binds = query.getBindValues();
        String[] names = new String[binds.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = params.names.get(binds.get(i));
            if (names[i] == null) {
                throw new IllegalStateException("statement has an undeclared bind value at marker " + (i + 1)
                        + ": " + binds.get(i) + " in: " + sql);
            }
        }
        return new RenderedStatement(sql, names);
    }

    /**
     * {@code first} then {@code second} as ONE text, sent by pgjdbc in one round trip (one Sync) and run by
     * PostgreSQL in one implicit transaction: either both take effect or neither; the second sees the first's
     * writes. Their parameters share one namespace (a name used by both binds both).
     */
    public static RenderedStatement sequence(RenderedStatement first, RenderedStatement second) {
        String[] names = new String[first.markerNames.length + second.markerNames.length];
        System.arraycopy(first.markerNames, 0, names, 0, first.markerNames.length);
        System.arraycopy(second.markerNames, 0, names, first.markerNames.length, second.markerNames.length);
        return new RenderedStatement(first.sql + ";\n" + second.sql, names);
    }

    /** Binds {@code values} (by parameter name) to {@code ps}, which must be a statement of this text. */
    public void bind(PreparedStatement ps, Connection connection, Map<String, ?> values) throws SQLException {
        Object[] ordered = inMarkerOrder(values);
        for (int i = 0; i < ordered.length; i++) {
            int marker = i + 1;
            switch (ordered[i]) {
                case null -> ps.setObject(marker, null);
                case String s -> ps.setString(marker, s);
                case Integer n -> ps.setInt(marker, n);
                case Long n -> ps.setLong(marker, n);
                case Double d -> ps.setDouble(marker, d);
                case UUID u -> ps.setObject(marker, u);
                case Integer[] a -> ps.setArray(marker, connection.createArrayOf("int4", a));
                case Long[] a -> ps.setArray(marker, connection.createArrayOf("int8", a));
                case String[] a -> ps.setArray(marker, connection.createArrayOf("text", a));
                default -> throw new IllegalArgumentException("unsupported value for " + markerNames[i] + ": "
                        + ordered[i].getClass().getName());
            }
        }
    }

    /**
     * The value of each bind marker, in marker order (a parameter used twice fills two markers).
     *
     * @throws IllegalArgumentException naming the parameter when {@code values} has no entry for it
     */
    Object[] inMarkerOrder(Map<String, ?> values) {
        Object[] ordered = new Object[markerNames.length];
        for (int i = 0; i < markerNames.length; i++) {
            Object v = values.get(markerNames[i]);
            if (v == null && !values.containsKey(markerNames[i])) {
                throw new IllegalArgumentException("no value for parameter " + markerNames[i]);
            }
            ordered[i] = v;
        }
        return ordered;
    }

    /**
     * Named parameters of one statement being built. Each gets a sample value no other parameter has,
     * which is how {@link #render} tells the markers apart (arrays by identity).
     */
    public static final class Params {

        private final Map<Object, String> names = new HashMap<>();
        private int counter;

        /** Creates an empty set of parameters for one statement. */
        public Params() {
        }

        private <T> Param<T> declare(String name, T sample) {
            remember(name, sample);
            return DSL.param(name, sample);
        }

        private void remember(String name, Object sample) {
            if (names.containsValue(name)) {
                throw new IllegalArgumentException("parameter declared twice: " + name);
            }
            names.put(sample, name);
        }

        private int unique() {
            return 1_000_000_000 + counter++;
        }

        /** A parameter named {@code name}. */
        public Param<String> text(String name) {
            return declare(name, "pgqj-param-" + unique());
        }

        /** A parameter named {@code name}. */
        public Param<Integer> integer(String name) {
            return declare(name, unique());
        }

        /** A parameter named {@code name}. */
        public Param<Double> float8(String name) {
            return declare(name, (double) unique());
        }

        /** A parameter named {@code name}. */
        public Param<UUID> uuid(String name) {
            return declare(name, new UUID(0, unique()));
        }

        /** A parameter named {@code name}. */
        public Param<Long[]> bigintArray(String name) {
            return declare(name, new Long[] {(long) unique()});
        }

        /** A parameter named {@code name}. */
        public Param<String[]> textArray(String name) {
            return declare(name, new String[] {"pgqj-param-" + unique()});
        }

        /** An {@code int4[]} parameter named {@code name}, typed as {@code type} in the statement. */
        public Param<Integer[]> integerArray(String name, DataType<Integer[]> type) {
            return typed(name, new Integer[] {unique()}, type);
        }

        /** A {@code text[]} parameter named {@code name}, typed as {@code type} in the statement. */
        public Param<String[]> textArray(String name, DataType<String[]> type) {
            return typed(name, new String[] {"pgqj-param-" + unique()}, type);
        }

        /** A {@code int8[]} parameter named {@code name}, typed as {@code type} in the statement. */
        public Param<Long[]> bigintArray(String name, DataType<Long[]> type) {
            return typed(name, new Long[] {(long) unique()}, type);
        }

        /** An {@code int4} parameter named {@code name}, typed as {@code type} in the statement. */
        public Param<Integer> integer(String name, DataType<Integer> type) {
            return typed(name, unique(), type);
        }

        private <T> Param<T> typed(String name, T sample, DataType<T> type) {
            remember(name, sample);
            return DSL.val(sample, type);
        }
    }
}
