package org.pgqj.schema;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How much of the queue schema survives a PostgreSQL crash, as {@code pgq install --durability}.
 * UNLOGGED tables skip the write-ahead log: faster writes, but their rows are emptied after a crash
 * and they are not replicated.
 */
public enum Durability {
    /** All four tables logged (the default): nothing is lost in a crash. */
    DURABLE(false, false),
    /** The log and statistics tables UNLOGGED; jobs and schedules stay logged. */
    BALANCED(false, true),
    /** All four tables UNLOGGED: fastest, and every job is lost in a crash. */
    VOLATILE(true, true);

    private final boolean queueUnlogged;
    private final boolean logUnlogged;

    Durability(boolean queueUnlogged, boolean logUnlogged) {
        this.queueUnlogged = queueUnlogged;
        this.logUnlogged = logUnlogged;
    }

    /** Whether the queue and schedules tables are UNLOGGED. */
    public boolean queueTablesUnlogged() {
        return queueUnlogged;
    }

    /** Whether the log and statistics tables are UNLOGGED. */
    public boolean logTablesUnlogged() {
        return logUnlogged;
    }

    /** The name pgqueuer's CLI uses: {@code durable}, {@code balanced} or {@code volatile}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses pgqueuer's names, case-insensitively.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static Durability parse(String value) {
        for (Durability d : values()) {
            if (d.cliName().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return d;
            }
        }
        throw new IllegalArgumentException("Unknown durability '" + value + "'; expected one of "
                + Arrays.stream(values()).map(Durability::cliName).collect(Collectors.joining(", ")));
    }
}
