package org.pgqj.internal.queue;

import static org.jooq.impl.DSL.any;
import static org.jooq.impl.DSL.arrayAgg;
import static org.jooq.impl.DSL.cast;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.generateSeries;
import static org.jooq.impl.DSL.greatest;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.lateral;
import static org.jooq.impl.DSL.least;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.row;
import static org.jooq.impl.DSL.rowNumber;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.selectFrom;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.CommonTableExpression;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Param;
import org.jooq.Record4;
import org.jooq.Record6;
import org.jooq.Row4;
import org.jooq.Select;
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
 * The claim: ONE statement with pgqueuer's semantics (CONTRACT §3–§4), whose cost follows the jobs it takes,
 * not the entrypoints it covers. It reads, without locking, each entrypoint's best due {@code queued} rows
 * ({@code priority DESC, id ASC}, {@code execute_after <= now()}: pgqueuer 2.0 made a job due exactly now
 * eligible) and the {@code picked} rows whose heartbeat is older than their entrypoint's stale age, except those
 * this worker still owns (running here, or finished here with the outcome not yet written); it merges them into
 * one stream in claim order and locks down that stream ({@code FOR UPDATE SKIP LOCKED}, re-checking each row)
 * until the claim is full, so it locks only rows it takes and passes rows another worker holds. A stale row under
 * this worker's own id that it does not own is one whose claim committed while its reply was lost (a crash, a
 * dropped connection): it runs nowhere, so it is re-claimed like any other, by this worker too, keeping its slot.
 * A limited entrypoint gives at most its free count (limit minus its picked rows) so SKIP LOCKED cannot slide
 * past the limit, and its best fresh jobs take the lowest free slot numbers ({@code generate_series} minus held
 * slots, in an array indexed by the job's rank). Claimed rows become {@code picked} and get a {@code picked} log
 * row in the same statement. A lost slot race (unique violation on {@code <queue>_picked_slot_idx}, or a
 * deadlock) comes back as an empty claim. With {@value #SHARED_SCAN_MIN} or more open entrypoints (unlimited,
 * not short of rate tokens), their candidates come from one bounded scan of the queue in claim order instead;
 * when that bound cut a claim short, a second statement with a scan per entrypoint tops it up.
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

    /**
     * Statements differ only by the number of entrypoints, how many of them have a branch of their own (all, or
     * those not in the shared scan), whether any is limited, and the power of two the batch rounds up to (a few
     * texts, each planned once per connection, whatever batches a worker asks for).
     */
    private record Shape(int parts, int branches, boolean limited, int cap) {

        /** Whether the open entrypoints (parts past {@code branches}) share one bounded scan of the queue. */
        boolean shared() {
            return branches < parts;
        }
    }

    /**
     * From how many open entrypoints (unlimited, with a take of the whole claim) on the claim reads their
     * candidates in ONE scan of the queue in claim order instead of one scan per entrypoint.
     */
    static final int SHARED_SCAN_MIN = 8;

    /** The rows of the queue the shared scan examines at most, per power of two of the claim. */
    static final int SHARED_SCAN_ROWS_PER_CAP = 2;

    /**
     * Claims that skip the shared scan after one it cut short: what filled its bound (another service's backlog,
     * jobs not yet due) is usually still there, and each such claim would pay the scan and then the top-up.
     */
    static final int CLAIMS_AFTER_A_CUT = 8;

    /** Claims left before the shared scan is tried again (see {@link #CLAIMS_AFTER_A_CUT}). */
    private final AtomicInteger skipShared = new AtomicInteger();

    /** A claim's rows, and whether the shared scan stopped at its bound with the claim not full. */
    private record Claimed(List<Job> jobs, boolean cut) {
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
        return topUp(session, claimOnce(session, parts, batch, owned, mayShare()), parts, batch, owned);
    }

    private Claimed claimOnce(DedicatedConnection.Session session, List<Part> parts, int batch, Long[] owned,
                              boolean mayShare) throws SQLException {
        List<Part> ordered = ordered(parts, batch, mayShare);
        Shape key = shapeOf(parts, batch, mayShare);
        RenderedStatement shape = shape(session, key);
        PreparedStatement ps = session.prepare(shape.sql());
        shape.bind(ps, session.connection(), bindValues(ordered, key, batch, owned));
        try (ResultSet rs = ps.executeQuery()) {
            return read(rs, batch);
        } catch (SQLException e) {
            if (isLostRace(e)) {
                return new Claimed(List.of(), false);
            }
            throw e;
        }
    }

    /*
     * The shared scan examined its bound of queued rows (others' entrypoints, rows not yet due, rows held) and the
     * claim is not full: the open entrypoints' jobs past the bound come after every row the scan saw in claim
     * order, so a second claim with one scan per entrypoint takes them, and the two merge in claim order.
     */
    private List<Job> topUp(DedicatedConnection.Session session, Claimed first, List<Part> parts, int batch,
                            Long[] owned) throws SQLException {
        if (!first.cut() || first.jobs().size() >= batch) {
            return first.jobs();
        }
        skipShared.set(CLAIMS_AFTER_A_CUT);
        List<Part> open = parts.stream().filter(p -> isOpen(p, batch)).toList();
        List<Job> more = claimOnce(session, open, batch - first.jobs().size(), owned, false).jobs();
        if (more.isEmpty()) {
            return first.jobs();
        }
        List<Job> all = new ArrayList<>(first.jobs());
        all.addAll(more);
        all.sort(CLAIM_ORDER);
        return all;
    }

    private static final Comparator<Job> CLAIM_ORDER =
            Comparator.comparingInt(Job::priority).reversed().thenComparingLong(Job::id);

    /** Unlimited, and may take the whole claim (no rate tokens short of it): a candidate of the shared scan. */
    private static boolean isOpen(Part p, int batch) {
        return p.limit() <= 0 && p.take() >= batch;
    }

    /** The parts with a branch of their own first, then those of the shared scan (when it is used). */
    private static List<Part> ordered(List<Part> parts, int batch, boolean mayShare) {
        if (!sharesScan(parts, batch, mayShare)) {
            return parts;
        }
        List<Part> ordered = new ArrayList<>(parts.stream().filter(p -> !isOpen(p, batch)).toList());
        ordered.addAll(parts.stream().filter(p -> isOpen(p, batch)).toList());
        return ordered;
    }

    /** Whether this claim may use the shared scan: not within {@link #CLAIMS_AFTER_A_CUT} claims of a cut one. */
    private boolean mayShare() {
        return skipShared.getAndUpdate(n -> Math.max(0, n - 1)) == 0;
    }

    /** Claims left that skip the shared scan (tests). */
    int claimsBeforeSharedScan() {
        return skipShared.get();
    }

    static boolean sharesScan(List<Part> parts, int batch, boolean mayShare) {
        return mayShare && parts.stream().filter(p -> isOpen(p, batch)).count() >= SHARED_SCAN_MIN;
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
        boolean mayShare = mayShare();
        Shape key = shapeOf(parts, batch, mayShare);
        RenderedStatement both = afterComplete.computeIfAbsent(key,
                s -> RenderedStatement.sequence(complete.statement(session.dsl()), shape(session, s)));
        Map<String, Object> values = bindValues(ordered(parts, batch, mayShare), key, batch, owned);
        values.putAll(CompleteQuery.values(outcomes));
        PreparedStatement ps = session.prepare(both.sql());
        both.bind(ps, session.connection(), values);
        try {
            ps.execute(); // the write's update count first, then the claim's rows
            if (!ps.getMoreResults()) {
                throw new SQLException("the claim after a completion write returned no rows");
            }
            Claimed first;
            try (ResultSet rs = ps.getResultSet()) {
                first = read(rs, batch);
            }
            return topUp(session, first, parts, batch, owned);
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
        return build(dsl, new Shape(parts, parts, limited, cap(batch))).sql();
    }

    /**
     * The text of the claim for {@code branches} entrypoints with a scan each (limited, rate-limited) and
     * {@code shared} open ones read by the one shared scan, as {@code dsl} renders it.
     */
    public String sqlShared(DSLContext dsl, int branches, int shared, boolean limited, int batch) {
        return build(dsl, new Shape(branches + shared, branches, limited, cap(batch))).sql();
    }

    static int cap(int batch) {
        return batch <= 1 ? 1 : Integer.highestOneBit(batch - 1) << 1;
    }

    private static Shape shapeOf(List<Part> parts, int batch, boolean mayShare) {
        int branches = sharesScan(parts, batch, mayShare)
                ? (int) parts.stream().filter(p -> !isOpen(p, batch)).count()
                : parts.size();
        return new Shape(parts.size(), branches, parts.stream().anyMatch(p -> p.limit() > 0), cap(batch));
    }

    private RenderedStatement shape(DedicatedConnection.Session session, Shape shape) {
        return shapes.computeIfAbsent(shape, s -> build(session.dsl(), s));
    }

    private static final int ID_COLUMN = PGQUEUER.indexOf(PGQUEUER.ID) + 1;

    /** The claimed jobs; a row without an id is the shared scan's mark that it stopped at its bound. */
    private static Claimed read(ResultSet rs, int batch) throws SQLException {
        List<Job> jobs = new ArrayList<>(batch);
        boolean cut = false;
        while (rs.next()) {
            if (rs.getObject(ID_COLUMN) == null) {
                cut = true;
            } else {
                jobs.add(JobRows.read(rs));
            }
        }
        return new Claimed(jobs, cut);
    }

    private Map<String, Object> bindValues(List<Part> parts, Shape shape, int batch, Long[] owned) {
        Map<String, Object> values = new HashMap<>();
        values.put("worker", workerId);
        values.put("batch", batch);
        values.put("owned", owned);
        values.put("min_stale", parts.stream().mapToDouble(ClaimQuery::staleDays).min().orElseThrow());
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            values.put("ep" + i, p.entrypoint());
            values.put("lim" + i, p.limit());
            values.put("take" + i, p.take());
            values.put("stale" + i, staleDays(p));
        }
        if (shape.shared()) {
            values.put("open", parts.subList(shape.branches(), parts.size()).stream().map(Part::entrypoint)
                    .toArray(String[]::new));
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
     * The claim takes exactly the bound batch, under an inlined LIMIT of the power of two above it: under the
     * generic plan of a prepared statement a bound LIMIT alone is estimated as a tenth of the table, which turns
     * the UPDATE ... FROM eligible into a scan of the whole primary key; the literal keeps the estimate within
     * twice the claim.
     */
    @SuppressWarnings("unchecked")
    private RenderedStatement build(DSLContext dsl, Shape shape) {
        int partCount = shape.parts();
        boolean limited = shape.limited();
        int cap = shape.cap();
        RenderedStatement.Params params = new RenderedStatement.Params();
        Param<UUID> worker = params.uuid("worker");
        Field<Integer> batch = cast(params.integer("batch"), SQLDataType.INTEGER);
        Param<Long[]> owned = params.bigintArray("owned");
        Param<Double> minStale = params.float8("min_stale");
        Field<OffsetDateTime> now = currentOffsetDateTime();

        // params(entrypoint, lim, take, stale_days): one row per entrypoint of this claim
        Row4<String, Integer, Integer, Double>[] rows = new Row4[partCount];
        List<Field<String>> eps = new ArrayList<>(partCount);
        List<Field<Integer>> lims = new ArrayList<>(partCount);
        List<Field<Integer>> takes = new ArrayList<>(partCount);
        for (int i = 0; i < partCount; i++) {
            eps.add(cast(params.text("ep" + i), SQLDataType.CLOB));
            lims.add(cast(params.integer("lim" + i), SQLDataType.INTEGER));
            takes.add(cast(params.integer("take" + i), SQLDataType.INTEGER));
            rows[i] = row(eps.get(i), lims.get(i), takes.get(i), cast(params.float8("stale" + i), SQLDataType.DOUBLE));
        }
        CommonTableExpression<Record4<String, Integer, Integer, Double>> paramsCte = name("params")
                .fields("p_entrypoint", "p_lim", "p_take", "p_stale_days")
                .as(selectFrom(values(rows).as("v", "v_entrypoint", "v_lim", "v_take", "v_stale_days")));
        Field<String> pEntry = Cte.col(paramsCte, "p_entrypoint", String.class);
        Field<Integer> pLim = Cte.col(paramsCte, "p_lim", Integer.class);
        Field<Double> pStale = Cte.col(paramsCte, "p_stale_days", Double.class);
        List<CommonTableExpression<?>> ctes = new ArrayList<>(List.of(paramsCte));

        Pgqueuer w = PGQUEUER.as("w");
        Pgqueuer h = PGQUEUER.as("h");
        Pgqueuer s = PGQUEUER.as("s");
        Pgqueuer t = PGQUEUER.as("t");

        // limited entrypoints: the picked rows of each (slots are theirs until their outcome is written), read in
        // one pass over the picked rows rather than once per entrypoint
        CommonTableExpression<?> held = name("held").fields("h_entrypoint", "h_count", "h_slots")
                .as(select(h.ENTRYPOINT, count(), arrayAgg(h.SLOT).filterWhere(h.SLOT.isNotNull()))
                        .from(h).join(paramsCte).on(h.ENTRYPOINT.eq(pEntry))
                        .where(h.STATUS.eq(lit(PICKED)), pLim.gt(inline(0)))
                        .groupBy(h.ENTRYPOINT));
        Field<String> hEntry = Cte.col(held, "h_entrypoint", String.class);
        Field<Integer> hCount = Cte.col(held, "h_count", Integer.class);
        Field<Long[]> hSlots = Cte.col(held, "h_slots", Long[].class);
        if (limited) {
            ctes.add(held);
        }

        // The candidates, WITHOUT locks: per entrypoint its best due jobs in (entrypoint, priority DESC, id)
        // index order, merged into one stream in claim order by the LIMIT of the lock below, which pulls from
        // each entrypoint only as far as the claim uses. Each entrypoint's window caps what it may give: a
        // limited one's free count (never slides past the limit), a rate-limited one's tokens, and for the others
        // one more claim size beyond their take, so SKIP LOCKED can pass rows another worker holds right now.
        // ctid: the version each candidate read, which the lock below fetches directly (no second index probe);
        // a system column, not in the generated classes
        Field<Object> wCtid = field(name("w", "ctid"), SQLDataType.OTHER);
        Field<Object> sCtid = field(name("s", "ctid"), SQLDataType.OTHER);
        Field<Object> tCtid = field(name("t", "ctid"), SQLDataType.OTHER);
        List<Select<Record6<Object, Long, Integer, String, PgqueuerStatus, OffsetDateTime>>> branches = new ArrayList<>();
        for (int i = 0; i < shape.branches(); i++) {
            Field<String> ep = eps.get(i);
            Field<Integer> lim = lims.get(i);
            Field<Integer> take = takes.get(i);
            Field<Integer> unlimitedWindow = when(take.ge(batch), take.plus(batch)).otherwise(take);
            Field<Integer> window = limited
                    ? when(lim.gt(inline(0)), greatest(least(take, lim.minus(coalesce(
                            field(select(hCount).from(held).where(hEntry.eq(ep))), inline(0)))), inline(0)))
                            .otherwise(unlimitedWindow)
                    : unlimitedWindow;
            branches.add(select(wCtid, w.ID, w.PRIORITY, w.ENTRYPOINT, w.STATUS, w.HEARTBEAT).from(w)
                    .where(w.ENTRYPOINT.eq(ep), w.STATUS.eq(lit(QUEUED)), w.EXECUTE_AFTER.le(now))
                    .orderBy(w.PRIORITY.desc(), w.ID.asc())
                    .limit(window));
        }
        // the open entrypoints (when there are many): ONE scan of the queue in claim order (the backward scan of
        // pgqueuer's (priority, id DESC) queued index), bounded BEFORE the entrypoint and due filters, so rows of
        // entrypoints this worker does not serve (a deep backlog of another service) cost at most the bound
        int sharedRows = SHARED_SCAN_ROWS_PER_CAP * cap;
        Pgqueuer q = PGQUEUER.as("q");
        if (shape.shared()) {
            Field<Object> qCtid = field(name("q", "ctid"), SQLDataType.OTHER);
            var scan = select(qCtid, q.ID, q.PRIORITY, q.ENTRYPOINT, q.STATUS, q.HEARTBEAT, q.EXECUTE_AFTER)
                    .from(q)
                    .where(q.STATUS.eq(lit(QUEUED)))
                    .orderBy(q.PRIORITY.desc(), q.ID.asc())
                    .limit(inline(sharedRows))
                    .asTable("b", "b_ctid", "b_id", "b_priority", "b_entrypoint", "b_status", "b_heartbeat", "b_execute_after");
            Field<Long> bId = scan.field("b_id", Long.class);
            Field<Integer> bPriority = scan.field("b_priority", Integer.class);
            Field<String> bEntry = scan.field("b_entrypoint", String.class);
            branches.add(select(scan.field("b_ctid", Object.class), bId, bPriority, bEntry,
                    scan.field("b_status", PGQUEUER.STATUS.getDataType()), scan.field("b_heartbeat", OffsetDateTime.class))
                    .from(scan)
                    .where(bEntry.eq(any(params.textArray("open", SQLDataType.CLOB.array()))),
                            scan.field("b_execute_after", OffsetDateTime.class).le(now))
                    .orderBy(bPriority.desc(), bId.asc()));
        }
        // stale picked rows not owned here: re-claimed, keeping their slot. Not "of other workers": a claim
        // whose reply was lost left rows under this worker's id that it never ran and never heartbeats.
        branches.add(select(sCtid, s.ID, s.PRIORITY, s.ENTRYPOINT, s.STATUS, s.HEARTBEAT)
                .from(s).join(paramsCte).on(s.ENTRYPOINT.eq(pEntry))
                // the shortest stale age of the claim as a plain bound: an index range on the picked
                // heartbeats that usually finds none, instead of visiting every picked row (each running
                // job of a drain) and testing it against the owned ids
                .where(s.STATUS.eq(lit(PICKED)), s.HEARTBEAT.lt(now.minus(minStale)), s.HEARTBEAT.lt(now.minus(pStale)),
                        DSL.not(s.ID.eq(any(owned))), s.EXECUTE_AFTER.le(now))
                .orderBy(s.PRIORITY.desc(), s.ID.asc())
                .limit(inline(cap)));
        Select<Record6<Object, Long, Integer, String, PgqueuerStatus, OffsetDateTime>> union = branches.getFirst();
        for (int i = 1; i < branches.size(); i++) {
            union = union.unionAll(branches.get(i));
        }
        var candidates = name("candidates")
                .fields("c_ctid", "c_id", "c_priority", "c_entrypoint", "c_status", "c_heartbeat")
                .as(union);
        ctes.add(candidates);
        Field<Object> cCtid = Cte.col(candidates, "c_ctid", SQLDataType.OTHER);
        Field<Long> cId = Cte.col(candidates, "c_id", Long.class);
        Field<Integer> cPriority = Cte.col(candidates, "c_priority", Integer.class);
        Field<PgqueuerStatus> cStatus = Cte.col(candidates, "c_status", PGQUEUER.STATUS.getDataType());
        Field<OffsetDateTime> cHeartbeat = Cte.col(candidates, "c_heartbeat", OffsetDateTime.class);

        // Lock the candidates in claim order, skipping rows another worker (Java or Python) holds, until the
        // claim is full: only rows the claim will use are locked. A row updated since this statement's snapshot is
        // locked in its current version and re-checked there (PostgreSQL re-evaluates these conditions, not the
        // ctid): still due, and as the candidate read it (a queued row still queued; a stale one still picked with
        // the same old heartbeat); one another worker picked meanwhile fails them and is passed.
        var locked = lateral(select(t.ID, t.PRIORITY, t.ENTRYPOINT).from(t)
                .where(tCtid.eq(cCtid), t.ID.eq(cId), t.STATUS.eq(cStatus), t.HEARTBEAT.eq(cHeartbeat),
                        t.EXECUTE_AFTER.le(now))
                .forUpdate().of(t).skipLocked()).as("l");
        var lockedInOrder = select(locked.field(t.ID), locked.field(t.PRIORITY), locked.field(t.ENTRYPOINT),
                        DSL.field(cStatus.eq(lit(QUEUED))))
                .from(candidates.crossJoin(locked))
                .orderBy(cPriority.desc(), cId.asc())
                .limit(batch)
                .asTable("x", "x_id", "x_priority", "x_entrypoint", "x_fresh");
        var eligible = name("eligible").fields("e_id", "e_priority", "e_entrypoint", "e_fresh")
                .as(select(lockedInOrder.field("x_id", Long.class), lockedInOrder.field("x_priority", Integer.class),
                        lockedInOrder.field("x_entrypoint", String.class), lockedInOrder.field("x_fresh", Boolean.class))
                        .from(lockedInOrder)
                        .limit(inline(cap)));
        ctes.add(eligible);
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
        if (limited) {
            // free slots per limited entrypoint: 0..limit-1 minus those its picked rows hold (none: no held row,
            // or no slot among them), as one ascending array; the k-th best fresh job takes its k-th element
            var series = generateSeries(inline(0), pLim.minus(inline(1))).as("g", "g_slot");
            Field<Integer> gSlot = series.field("g_slot", Integer.class);
            Field<Integer[]> freeArray = DSL.array(select(gSlot).from(series)
                    .where(DSL.not(gSlot.cast(SQLDataType.BIGINT).eq(any(coalesce(hSlots,
                            cast(DSL.array(), SQLDataType.BIGINT.array()))))))
                    .orderBy(gSlot));
            // MATERIALIZED: inlined, PostgreSQL would compute the array once per ranked row
            var freeSlots = name("free_slots").fields("fs_entrypoint", "fs_slots")
                    .asMaterialized(select(pEntry, freeArray).from(paramsCte).leftJoin(held).on(hEntry.eq(pEntry))
                            .where(pLim.gt(inline(0))));
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
        Field<Long> cdId = Cte.col(claimed, "id", Long.class);
        Field<PgqueuerStatus> cdStatus = Cte.col(claimed, "status", job.STATUS.getDataType());
        Field<String> cdEntry = Cte.col(claimed, "entrypoint", String.class);
        Field<Integer> cdPriority = Cte.col(claimed, "priority", Integer.class);
        var logPick = name("log_pick").as(dsl.insertInto(PGQUEUER_LOG,
                        PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY)
                .select(select(cdId, cdStatus, cdEntry, cdPriority).from(claimed))
                .returning(PGQUEUER_LOG.ID));
        ctes.add(claimed);
        ctes.add(logPick);
        // the queue table's columns in the generated field order: JobRows reads them by position
        var claimedRows = dsl.with(ctes.toArray(CommonTableExpression[]::new))
                .select(java.util.Arrays.stream(job.fields()).map(f -> Cte.col(claimed, f.getName(), f.getDataType())).toList())
                .from(claimed);
        if (!shape.shared()) {
            return RenderedStatement.render(claimedRows.orderBy(cdPriority.desc(), cdId.asc()), params);
        }
        // a claim that is not full, after a shared scan that stopped at its bound with queued rows beyond it,
        // ends with a row of nulls: the mark to top up (evaluated only when the claim is short). Untyped nulls:
        // the union takes the columns' types from the claimed rows
        var beyond = DSL.exists(select(q.ID).from(q).where(q.STATUS.eq(lit(QUEUED)))
                .orderBy(q.PRIORITY.desc(), q.ID.asc()).offset(inline(sharedRows)).limit(inline(1)));
        var mark = select(java.util.Arrays.stream(job.fields()).map(f -> inline((Object) null)).toList())
                // CASE, not AND: PostgreSQL orders AND-ed conditions by its own cost estimate
                .where(DSL.condition(when(field(select(count()).from(claimed)).lt(batch), DSL.field(beyond))
                        .otherwise(inline(false))));
        return RenderedStatement.render(claimedRows.unionAll(mark)
                .orderBy(field(name(job.PRIORITY.getName())).desc(), field(name(job.ID.getName())).asc()), params);
    }
}
