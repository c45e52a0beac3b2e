package org.pgqj.schema;

import java.util.regex.Pattern;

/**
 * The names of the pgqueuer objects for one prefix and schema, as pgqueuer derives them from
 * {@code PGQUEUER_PREFIX} and {@code PGQUEUER_SCHEMA}: every object name and the NOTIFY channel start
 * with the prefix; objects live in the schema; the channel is never schema-qualified.
 *
 * <p>Both parts are validated as plain lower-case SQL identifiers, so they can never carry SQL.
 *
 * @param prefix the name prefix, possibly empty (e.g. {@code "acme_"})
 * @param schema the schema holding the objects (default {@code "public"})
 */
public record PgqueuerNames(String prefix, String schema) {

    /** The default schema, as pgqueuer's when {@code PGQUEUER_SCHEMA} is unset. */
    public static final String DEFAULT_SCHEMA = "public";

    private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]*");
    /** PostgreSQL truncates identifiers to 63 bytes; the longest derived name must still fit. */
    private static final int MAX_IDENTIFIER = 63;
    private static final String LONGEST_BASE = "pgqueuer_statistics_unique_count";

    /** Validates both parts. */
    public PgqueuerNames {
        if (prefix == null) {
            throw new IllegalArgumentException("prefix must not be null; use \"\" for no prefix");
        }
        if (schema == null) {
            throw new IllegalArgumentException("schema must not be null; the default is \"" + DEFAULT_SCHEMA + "\"");
        }
        if (!prefix.isEmpty() && !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("Invalid pgqueuer prefix '" + prefix
                    + "': use lower-case letters, digits and underscores, starting with a letter or underscore (e.g. \"acme_\")");
        }
        if (prefix.length() + LONGEST_BASE.length() > MAX_IDENTIFIER) {
            throw new IllegalArgumentException("pgqueuer prefix '" + prefix + "' is too long: at most "
                    + (MAX_IDENTIFIER - LONGEST_BASE.length()) + " characters, so that '" + prefix + LONGEST_BASE
                    + "' fits PostgreSQL's " + MAX_IDENTIFIER + "-byte identifiers");
        }
        if (!SCHEMA.matcher(schema).matches() || schema.length() > MAX_IDENTIFIER) {
            throw new IllegalArgumentException("Invalid pgqueuer schema '" + schema
                    + "': use a lower-case identifier of letters, digits and underscores (at most 63), e.g. \"jobs\"");
        }
    }

    /** No prefix, schema {@code public}. */
    public static PgqueuerNames defaults() {
        return new PgqueuerNames("", DEFAULT_SCHEMA);
    }

    /** The queue table's unqualified name, e.g. {@code acme_pgqueuer}. */
    public String queueTable() {
        return prefix + "pgqueuer";
    }

    /** The log table's unqualified name. */
    public String logTable() {
        return prefix + "pgqueuer_log";
    }

    /** The statistics table's unqualified name. */
    public String statisticsTable() {
        return prefix + "pgqueuer_statistics";
    }

    /** The schedules table's unqualified name. */
    public String schedulesTable() {
        return prefix + "pgqueuer_schedules";
    }

    /** The status enum type's unqualified name. */
    public String statusType() {
        return prefix + "pgqueuer_status";
    }

    /** The NOTIFY channel, e.g. {@code acme_ch_pgqueuer}; channels are not schema-qualified. */
    public String channel() {
        return prefix + "ch_pgqueuer";
    }

    /** The trigger function's unqualified name. */
    public String triggerFunction() {
        return prefix + "fn_pgqueuer_changed";
    }

    /** The trigger's name. */
    public String trigger() {
        return prefix + "tg_pgqueuer_changed";
    }

    /**
     * The index pgqueuer 2.0 adds on the statistics table, e.g. {@code acme_pgqueuer_statistics_created}
     * (its definition is inferred: see {@code V2__pgqueuer_2_0_statistics_created.sql}).
     */
    public String statisticsCreatedIndex() {
        return prefix + "pgqueuer_statistics_created";
    }

    /** The Flyway history table of the queue schema, kept apart from the application's. */
    public String historyTable() {
        return prefix + "pgqueuer_schema_history";
    }

    /**
     * pgqj's own table of entrypoints paused fleet-wide, e.g. {@code acme_pgqj_paused_entrypoints}: beside pgqueuer's
     * catalog, never part of it (installed by {@link ControlsSchema}).
     */
    public String pausedEntrypointsTable() {
        return prefix + "pgqj_paused_entrypoints";
    }

    /** The Flyway history table of pgqj's own control tables ({@link ControlsSchema}), apart from pgqueuer's. */
    public String controlsHistoryTable() {
        return prefix + "pgqj_controls_history";
    }

    /**
     * The NOTIFY channel of pgqj's controls, e.g. {@code acme_pgqj_controls}: Java workers listen on it beside
     * pgqueuer's channel; Python workers never see it (on its own channel pgqueuer logs an event type it does not
     * know as a failed parse, at CRITICAL).
     */
    public String controlsChannel() {
        return prefix + "pgqj_controls";
    }

    /**
     * The partial unique index on {@code (entrypoint, slot)} of picked rows, e.g.
     * {@code acme_pgqueuer_picked_slot_idx}: a worker that loses a slot race sees it named in the error.
     */
    public String pickedSlotIndex() {
        return prefix + "pgqueuer_picked_slot_idx";
    }

    /**
     * The partial unique index on the dedupe key of queued and picked rows, e.g.
     * {@code acme_pgqueuer_unique_dedupe_key}: an enqueue of a taken key sees it named in the error.
     */
    public String dedupeKeyIndex() {
        return prefix + "pgqueuer_unique_dedupe_key";
    }

    /**
     * The text whose {@code hashtext} keys the statistics aggregation's advisory lock, as pgqueuer
     * spells it: the statistics table, schema-qualified only when the schema is not the default.
     */
    public String statisticsLockName() {
        return DEFAULT_SCHEMA.equals(schema) ? statisticsTable() : qualified(statisticsTable());
    }

    /** {@code schema.name}, for DDL; both parts are validated identifiers. */
    public String qualified(String name) {
        return schema + "." + name;
    }
}
