package org.pgqj.codegen.binding;

import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Types;
import org.jooq.Binding;
import org.jooq.BindingGetResultSetContext;
import org.jooq.BindingGetSQLInputContext;
import org.jooq.BindingGetStatementContext;
import org.jooq.BindingRegisterContext;
import org.jooq.BindingSQLContext;
import org.jooq.BindingSetSQLOutputContext;
import org.jooq.BindingSetStatementContext;
import org.jooq.Converter;
import org.jooq.conf.ParamType;
import org.jooq.impl.DSL;
import org.pgqj.codegen.enums.PgqueuerStatus;

/**
 * Binds {@link PgqueuerStatus} without naming its SQL type. Hand-written; the generator keeps it.
 *
 * <p>jOOQ's default enum binding renders {@code cast(? as "pgqueuer_status")}, and render mapping
 * cannot rename an enum type, so the same classes would fail for a prefixed schema
 * ({@code acme_pgqueuer_status}). Here a bind value goes as an untyped parameter and an inlined value
 * as a plain string literal; PostgreSQL takes the type from the column it meets. Plain literals also
 * let the planner match the partial indexes ({@code WHERE status = 'queued'}).
 */
public final class PgqueuerStatusBinding implements Binding<PgqueuerStatus, PgqueuerStatus> {

    private static final long serialVersionUID = 1L;

    private static final Converter<PgqueuerStatus, PgqueuerStatus> IDENTITY =
            Converter.ofNullable(PgqueuerStatus.class, PgqueuerStatus.class, s -> s, s -> s);

    private static PgqueuerStatus fromDatabase(String value) {
        if (value == null) {
            return null;
        }
        PgqueuerStatus status = PgqueuerStatus.lookupLiteral(value);
        if (status == null) {
            throw new IllegalStateException("Unknown pgqueuer_status label '" + value
                    + "': the database has a newer pgqueuer schema than this library knows");
        }
        return status;
    }

    @Override
    public Converter<PgqueuerStatus, PgqueuerStatus> converter() {
        return IDENTITY;
    }

    @Override
    public void sql(BindingSQLContext<PgqueuerStatus> ctx) {
        if (ctx.render().paramType() == ParamType.INLINED) {
            ctx.render().visit(DSL.inline(ctx.value() == null ? null : ctx.value().getLiteral()));
        } else {
            ctx.render().sql(ctx.variable());
        }
    }

    @Override
    public void register(BindingRegisterContext<PgqueuerStatus> ctx) throws SQLException {
        ctx.statement().registerOutParameter(ctx.index(), Types.OTHER);
    }

    @Override
    public void set(BindingSetStatementContext<PgqueuerStatus> ctx) throws SQLException {
        if (ctx.value() == null) {
            ctx.statement().setNull(ctx.index(), Types.OTHER);
        } else {
            ctx.statement().setObject(ctx.index(), ctx.value().getLiteral(), Types.OTHER);
        }
    }

    @Override
    public void set(BindingSetSQLOutputContext<PgqueuerStatus> ctx) throws SQLException {
        throw new SQLFeatureNotSupportedException("pgqueuer_status is not part of a UDT");
    }

    @Override
    public void get(BindingGetResultSetContext<PgqueuerStatus> ctx) throws SQLException {
        ctx.value(fromDatabase(ctx.resultSet().getString(ctx.index())));
    }

    @Override
    public void get(BindingGetStatementContext<PgqueuerStatus> ctx) throws SQLException {
        ctx.value(fromDatabase(ctx.statement().getString(ctx.index())));
    }

    @Override
    public void get(BindingGetSQLInputContext<PgqueuerStatus> ctx) throws SQLException {
        throw new SQLFeatureNotSupportedException("pgqueuer_status is not part of a UDT");
    }
}
