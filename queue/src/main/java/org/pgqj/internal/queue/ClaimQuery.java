package org.pgqj.internal.queue;

import static org.jooq.impl.DSL.any;
import static org.jooq.impl.DSL.cast;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.generateSeries;
import static org.jooq.impl.DSL.greatest;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.lateral;
import static org.jooq.impl.DSL.least;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.notExists;
import static org.jooq.impl.DSL.row;
import static org.jooq.impl.DSL.rowNumber;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.selectFrom;
import static org.jooq.impl.DSL.selectOne;
import static org.jooq.impl.DSL.values;
import static org.jooq.impl.DSL.when;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.CommonTableExpression;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Param;
import org.jooq.Record4;
import org.jooq.Row4;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.codegen.tables.Pgqueuer;
import org.pgqj.core.Job;
import org.pgqj.internal.sql.Cte;
import org.pgqj.internal.sql.DedicatedConnection;
import org.pgqj.internal.sql.JobRows;
import org.pgqj.internal.sql.RenderedStatement;
import org.pgqj.internal.sql.Statuses;
import org.pgqj.schema.PgqueuerNames;
import org.postgresql.util.PSQLException;

/**
 * The claim: ONE statement with pgqueuer's semantics (CONTRACT §3–§4). Per entrypoint it locks the
 * best {@code queued} rows ({@code priority DESC, id ASC}, {@code execute_after <= now()}: pgqueuer 2.0 made a job due exactly
 * now eligible,
 * {@code FOR UPDATE SKIP LOCKED}), plus {@code picked} rows whose heartbeat is older than the
 * entrypoint's stale age (they keep their slot) except those this worker still owns: running here,
 * or finished here with the outcome not yet written. A stale row under this worker's own id that it does
 * not own is one whose claim committed while its reply was lost (a crash, a dropped connection): it
 * runs nowhere, so it is re-claimed like any other, by this worker too; for a limited entrypoint it first takes a
 * window of at most the free count so SKIP LOCKED cannot slide past the limit, and hands the lowest
 * free slot numbers ({@code generate_series} minus held slots, in an array indexed by the job's rank) to the
 * best jobs. Claimed rows become {@code picked} and get a {@code picked} log row in the same
 * statement. A lost slot race (unique violation on {@code <queue>_picked_slot_idx}, or a deadlock)
 * comes back as an empty claim.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class ClaimQuery {

    /**
     * One entrypoint's part of a claim.
     *
     * @param entrypoint the name
     * @param limit      global concurrency limit, 0 = unlimited
     * @param take       most fresh jobs of it this claim may take (batch, capacity and rate tokens)
     * @param staleAfter heartbeat age after which a picked job of it is re-claimed
     */
    public record Part(String entrypoint, int limit, int take, Duration staleAfter) {
    }

    private static final PgqueuerStatus QUEUED = PgqueuerStatus.queued;
    private static final PgqueuerStatus PICKED = PgqueuerStatus.picked;

    private final UUID workerId;
    private final String slotIndex;

    /** The claim of worker {@code workerId} on the install {@code names}. */
    public ClaimQuery(UUID workerId, PgqueuerNames names) {
        this.workerId = workerId;
        this.slotIndex = names.pickedSlotIndex();
    }

    private static Field<PgqueuerStatus> lit(PgqueuerStatus s) {
        return Statuses.literal(s);
    }

    /** Statements differ only by the number of entrypoints, whether any is limited, and the batch. */
    private record Shape(int parts, boolean limited, int batch) {
    }

    /*
     * Rendering this statement costs more CPU than PostgreSQL spends running it, so each shape is
     * rendered once (RenderedStatement) and run through the connection's cached prepared statement.
     */
    private final Map<Shape, RenderedStatement> shapes = new ConcurrentHashMap<>();

    private static double staleDays(Part p) {
        return p.staleAfter().toNanos() / 86_400e9; // jOOQ adds numbers to timestamps as days
    }

    /** The claim after a write of finished jobs, by shape (see {@link #completeAndClaim}). */
    private final Map<Shape, RenderedStatement> afterComplete = new ConcurrentHashMap<>();

    /**
     * Claims up to {@code batch} jobs; empty when nothing is eligible or a slot race was lost.
     * {@code owned}: ids this worker runs or has not yet written the outcome of; never re-claimed as stale.
     */
    public List<Job> claim(DedicatedConnection.Session session, List<Part> parts, int batch, Long[] owned) throws SQLException {
        if (parts.isEmpty() || batch <= 0) {
            return List.of();
        }
        RenderedStatement shape = shape(session, shapeOf(parts, batch));
        PreparedStatement ps = session.prepare(shape.sql());
        shape.bind(ps, session.connection(), bindValues(parts, owned));
        try (ResultSet rs = ps.executeQuery()) {
            return read(rs, batch);
        } catch (SQLException e) {
            if (isLostRace(e)) {
                return List.of();
            }
            throw e;
        }
    }

    /**
     * Writes {@code outcomes} ({@link CompleteQuery}'s statement) and then claims, in ONE round trip and one
     * transaction: the claim sees the slots the write freed, and both commit together (one commit where a
     * durable server pays a WAL flush). A lost slot race rolls both back; the outcomes are then written alone
     * and the claim is empty. When this throws, neither took effect unless the reply alone was lost (then the
     * caller's rewrite finds the rows gone and logs nothing twice; the claimed rows go stale and are re-claimed).
     */
    public List<Job> completeAndClaim(DedicatedConnection.Session session, CompleteQuery complete,
                                      List<CompleteQuery.Outcome> outcomes, List<Part> parts, int batch,
                                      Long[] owned) throws SQLException {
        if (outcomes.isEmpty()) {
            return claim(session, parts, batch, owned);
        }
        if (parts.isEmpty() || batch <= 0) {
            complete.write(session, outcomes);
            return List.of();
        }
        Shape key = shapeOf(parts, batch);
        RenderedStatement both = afterComplete.computeIfAbsent(key,
                s -> RenderedStatement.sequence(complete.statement(session.dsl()), shape(session, s)));
        Map<String, Object> values = bindValues(parts, owned);
        values.putAll(CompleteQuery.values(outcomes));
        PreparedStatement ps = session.prepare(both.sql());
        both.bind(ps, session.connection(), values);
        try {
            ps.execute(); // the write's update count first, then the claim's rows
            if (!ps.getMoreResults()) {
                throw new SQLException("the claim after a completion write returned no rows");
            }
            try (ResultSet rs = ps.getResultSet()) {
                return read(rs, batch);
            }
        } catch (SQLException e) {
            if (isLostRace(e)) {
                complete.write(session, outcomes);
                return List.of();
            }
            throw e;
        }
    }

    /**
     * The text of the claim for {@code parts} entrypoints (any of them limited or not) and {@code batch}, as
     * {@code dsl} renders it (the architecture doc shows it).
     */
    public String sql(DSLContext dsl, int parts, boolean limited, int batch) {
        return build(dsl, parts, limited, batch).sql();
    }

    private static Shape shapeOf(List<Part> parts, int batch) {
        return new Shape(parts.size(), parts.stream().anyMatch(p -> p.limit() > 0), batch);
    }

    private RenderedStatement shape(DedicatedConnection.Session session, Shape shape) {
        return shapes.computeIfAbsent(shape, s -> build(session.dsl(), s.parts(), s.limited(), s.batch()));
    }

    private static List<Job> read(ResultSet rs, int batch) throws SQLException {
        List<Job> jobs = new ArrayList<>(batch);
        while (rs.next()) {
            jobs.add(JobRows.read(rs));
        }
        return jobs;
    }

    private Map<String, Object> bindValues(List<Part> parts, Long[] owned) {
        Map<String, Object> values = new HashMap<>();
        values.put("worker", workerId);
        values.put("owned", owned);
        values.put("min_stale", parts.stream().mapToDouble(ClaimQuery::staleDays).min().orElseThrow());
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            values.put("ep" + i, p.entrypoint());
            values.put("lim" + i, p.limit());
            values.put("take" + i, p.take());
            values.put("stale" + i, staleDays(p));
        }
        return values;
    }

    private boolean isLostRace(SQLException sql) {
        if ("40P01".equals(sql.getSQLState())) {
            return true;
        }
        if ("23505".equals(sql.getSQLState()) && sql instanceof PSQLException p && p.getServerErrorMessage() != null) {
            return slotIndex.equals(p.getServerErrorMessage().getConstraint());
        }
        return false;
    }

    /*
     * LIMITs are inlined: under the generic plan of a prepared statement a bound LIMIT is estimated
     * as a tenth of the table, which turns the UPDATE ... FROM eligible into a sequential scan.
     */
    @SuppressWarnings("unchecked")
    private RenderedStatement build(DSLContext dsl, int partCount, boolean limited, int batch) {
        RenderedStatement.Params params = new RenderedStatement.Params();
        Param<UUID> worker = params.uuid("worker");
        Param<Long[]> owned = params.bigintArray("owned");
        Param<Double> minStale = params.float8("min_stale");
        Field<OffsetDateTime> now = currentOffsetDateTime();

        // params(entrypoint, lim, take, stale_days): one row per entrypoint of this claim
        Row4<String, Integer, Integer, Double>[] rows = new Row4[partCount];
        for (int i = 0; i < partCount; i++) {
            Param<String> ep = params.text("ep" + i);
            Param<Integer> lim = params.integer("lim" + i);
            Param<Integer> take = params.integer("take" + i);
            Param<Double> stale = params.float8("stale" + i);
            rows[i] = row(cast(ep, SQLDataType.CLOB), cast(lim, SQLDataType.INTEGER),
                    cast(take, SQLDataType.INTEGER), cast(stale, SQLDataType.DOUBLE));
        }
        CommonTableExpression<Record4<String, Integer, Integer, Double>> paramsCte = name("params")
                .fields("p_entrypoint", "p_lim", "p_take", "p_stale_days")
                .as(selectFrom(values(rows).as("v", "v_entrypoint", "v_lim", "v_take", "v_stale_days")));
        Field<String> pEntry = Cte.col(paramsCte, "p_entrypoint", String.class);
        Field<Integer> pLim = Cte.col(paramsCte, "p_lim", Integer.class);
        Field<Integer> pTake = Cte.col(paramsCte, "p_take", Integer.class);
        Field<Double> pStale = Cte.col(paramsCte, "p_stale_days", Double.class);

        Pgqueuer q = PGQUEUER.as("q");
        Pgqueuer w = PGQUEUER.as("w");
        Pgqueuer h = PGQUEUER.as("h");
        Pgqueuer s = PGQUEUER.as("s");

        // unlimited entrypoints: lock the best rows directly; SKIP LOCKED lets parallel workers share them
        var unlimitedPick = lateral(select(q.ID, q.PRIORITY, q.ENTRYPOINT).from(q)
                .where(q.ENTRYPOINT.eq(pEntry), q.STATUS.eq(lit(QUEUED)), q.EXECUTE_AFTER.le(now), pLim.le(inline(0)))
                .orderBy(q.PRIORITY.desc(), q.ID.asc())
                .limit(pTake)
                .forUpdate().of(q).skipLocked()).as("u");
        // limited entrypoints: window of at most (limit - held) candidates first, then lock within it
        Field<Integer> held = field(select(count()).from(h)
                .where(h.ENTRYPOINT.eq(pEntry), h.STATUS.eq(lit(PICKED))));
        var window = select(w.ID).from(w)
                .where(w.ENTRYPOINT.eq(pEntry), w.STATUS.eq(lit(QUEUED)), w.EXECUTE_AFTER.le(now))
                .orderBy(w.PRIORITY.desc(), w.ID.asc())
                .limit(greatest(least(pTake, pLim.minus(held)), inline(0)));
        // = ANY(ARRAY(window)): an index probe per candidate; "IN (window)" planned a hash semi-join over a
        // bitmap scan of EVERY due row of the queue (O(backlog) per claim: 5-10 ms at 3,000 rows)
        var limitedPick = lateral(select(q.ID, q.PRIORITY, q.ENTRYPOINT).from(q)
                .where(q.ID.eq(any(DSL.array(window))), q.STATUS.eq(lit(QUEUED)), q.EXECUTE_AFTER.le(now),
                        pLim.gt(inline(0)))
                .forUpdate().of(q).skipLocked()).as("l");

        var fresh = name("fresh").fields("f_id", "f_priority", "f_entrypoint")
                .as(select(unlimitedPick.field(q.ID), unlimitedPick.field(q.PRIORITY), unlimitedPick.field(q.ENTRYPOINT))
                        .from(paramsCte.crossJoin(unlimitedPick))
                        .unionAll(select(limitedPick.field(q.ID), limitedPick.field(q.PRIORITY), limitedPick.field(q.ENTRYPOINT))
                                .from(paramsCte.crossJoin(limitedPick))));
        // stale picked rows not owned here: re-claimed, keeping their slot. Not "of other workers": a claim
        // whose reply was lost left rows under this worker's id that it never ran and never heartbeats.
        var stale = name("stale").fields("s_id", "s_priority", "s_entrypoint")
                .as(select(s.ID, s.PRIORITY, s.ENTRYPOINT).from(s).join(paramsCte).on(s.ENTRYPOINT.eq(pEntry))
                        // the shortest stale age of the claim as a plain bound: an index range on the picked
                        // heartbeats that usually finds none, instead of visiting every picked row (each running
                        // job of a drain) and testing it against the owned ids
                        .where(s.STATUS.eq(lit(PICKED)), s.HEARTBEAT.lt(now.minus(minStale)), s.HEARTBEAT.lt(now.minus(pStale)),
                                DSL.not(s.ID.eq(any(owned))), s.EXECUTE_AFTER.le(now))
                        .orderBy(s.PRIORITY.desc(), s.ID.asc())
                        .limit(inline(batch))
                        .forUpdate().of(s).skipLocked());
        Field<Long> fId = Cte.col(fresh, "f_id", Long.class);
        Field<Integer> fPriority = Cte.col(fresh, "f_priority", Integer.class);
        Field<String> fEntry = Cte.col(fresh, "f_entrypoint", String.class);
        Field<Long> sId = Cte.col(stale, "s_id", Long.class);
        Field<Integer> sPriority = Cte.col(stale, "s_priority", Integer.class);
        Field<String> sEntry = Cte.col(stale, "s_entrypoint", String.class);
        var eligible = name("eligible").fields("e_id", "e_priority", "e_entrypoint", "e_fresh")
                .as(select(fId, fPriority, fEntry, inline(true)).from(fresh)
                        .unionAll(select(sId, sPriority, sEntry, inline(false)).from(stale))
                        .orderBy(fPriority.desc(), fId.asc())
                        .limit(inline(batch)));
        Field<Long> eId = Cte.col(eligible, "e_id", Long.class);
        Field<Integer> ePriority = Cte.col(eligible, "e_priority", Integer.class);
        Field<String> eEntry = Cte.col(eligible, "e_entrypoint", String.class);
        Field<Boolean> eFresh = Cte.col(eligible, "e_fresh", Boolean.class);

        Pgqueuer job = PGQUEUER;
        // the rows to update: the eligible ones, or with slots, those that got one (or keep theirs)
        CommonTableExpression<?> source = eligible;
        Field<Long> sourceId = eId;
        Field<Boolean> sourceFresh = eFresh;
        Field<Long> freshSlot = inline((Long) null, SQLDataType.BIGINT);
        List<CommonTableExpression<?>> ctes = new ArrayList<>(List.of(paramsCte, fresh, stale, eligible));
        if (limited) {
            // free slots per limited entrypoint: 0..limit-1 minus those held by picked rows, as one ascending
            // array; the k-th best fresh job takes its k-th element. (A join on a row_number of the free slots
            // was planned as a merge on the entrypoint alone, filtering limit x batch pairs: a sixth of the claim.)
            var series = generateSeries(inline(0), pLim.minus(inline(1))).as("g", "g_slot");
            Field<Integer> gSlot = series.field("g_slot", Integer.class);
            Field<Integer[]> freeArray = DSL.array(select(gSlot).from(series)
                    .where(notExists(selectOne().from(h).where(h.ENTRYPOINT.eq(pEntry),
                            h.STATUS.eq(lit(PICKED)), h.SLOT.eq(gSlot.cast(SQLDataType.BIGINT)))))
                    .orderBy(gSlot));
            // MATERIALIZED: inlined, PostgreSQL would compute the array once per ranked row
            var freeSlots = name("free_slots").fields("fs_entrypoint", "fs_slots")
                    .asMaterialized(select(pEntry, freeArray).from(paramsCte).where(pLim.gt(inline(0))));
            // the best fresh jobs of each entrypoint take the lowest free slots
            var ranked = name("ranked").fields("r_id", "r_entrypoint", "r_fresh", "r_rk")
                    .as(select(eId, eEntry, eFresh, rowNumber().over().partitionBy(eEntry, eFresh)
                            .orderBy(ePriority.desc(), eId.asc())).from(eligible));
            Field<Long> rId = Cte.col(ranked, "r_id", Long.class);
            Field<String> rEntry = Cte.col(ranked, "r_entrypoint", String.class);
            Field<Boolean> rFresh = Cte.col(ranked, "r_fresh", Boolean.class);
            Field<Integer> rRk = Cte.col(ranked, "r_rk", Integer.class);
            Field<String> fsEntry = Cte.col(freeSlots, "fs_entrypoint", String.class);
            Field<Integer> fsSlot = DSL.arrayGet(Cte.col(freeSlots, "fs_slots", Integer[].class), rRk);
            var assigned = name("assigned").fields("a_id", "a_fresh", "a_slot")
                    .as(select(rId, rFresh, fsSlot.cast(SQLDataType.BIGINT))
                            .from(ranked)
                            .join(paramsCte).on(pEntry.eq(rEntry))
                            .leftJoin(freeSlots).on(DSL.condition(rFresh).and(fsEntry.eq(rEntry)))
                            .where(DSL.not(DSL.condition(rFresh)).or(pLim.le(inline(0))).or(fsSlot.isNotNull())));
            ctes.addAll(List.of(freeSlots, ranked, assigned));
            source = assigned;
            sourceId = Cte.col(assigned, "a_id", Long.class);
            sourceFresh = Cte.col(assigned, "a_fresh", Boolean.class);
            freshSlot = Cte.col(assigned, "a_slot", Long.class);
        }
        CommonTableExpression<?> claimed = name("claimed").as(dsl.update(job)
                .set(job.STATUS, lit(PICKED))
                .set(job.UPDATED, now)
                .set(job.HEARTBEAT, now)
                .set(job.QUEUE_MANAGER_ID, worker)
                .set(job.SLOT, when(DSL.condition(sourceFresh), freshSlot).otherwise(job.SLOT))
                .from(source)
                .where(job.ID.eq(sourceId))
                .returning(job.fields()));
        Field<Long> cId = Cte.col(claimed, "id", Long.class);
        Field<PgqueuerStatus> cStatus = Cte.col(claimed, "status", job.STATUS.getDataType());
        Field<String> cEntry = Cte.col(claimed, "entrypoint", String.class);
        Field<Integer> cPriority = Cte.col(claimed, "priority", Integer.class);
        var logPick = name("log_pick").as(dsl.insertInto(PGQUEUER_LOG,
                        PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY)
                .select(select(cId, cStatus, cEntry, cPriority).from(claimed))
                .returning(PGQUEUER_LOG.ID));
        ctes.add(claimed);
        ctes.add(logPick);
        // the queue table's columns in the generated field order: JobRows reads them by position
        return RenderedStatement.render(dsl.with(ctes.toArray(CommonTableExpression[]::new))
                .select(java.util.Arrays.stream(job.fields()).map(f -> Cte.col(claimed, f.getName(), f.getDataType())).toList())
                .from(claimed)
                .orderBy(cPriority.desc(), cId.asc()), params);
    }
}
