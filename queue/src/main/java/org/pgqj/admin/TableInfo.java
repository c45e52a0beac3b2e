package org.pgqj.admin;

import java.util.Objects;

/**
 * One table of the install as the catalog describes it ({@code pgq tables}).
 *
 * @param tableName     the table's name (with the prefix)
 * @param persistence   {@code LOGGED} or {@code UNLOGGED}
 * @param estimatedRows the planner's row estimate ({@code pg_class.reltuples}; -1 before the first ANALYZE)
 * @param totalSize     table plus indexes plus TOAST, as {@code pg_size_pretty} prints it
 * @param totalBytes    the same in bytes
 */
public record TableInfo(String tableName, String persistence, long estimatedRows, String totalSize, long totalBytes) {
    /** Validates. */
    public TableInfo {
        Objects.requireNonNull(tableName, "tableName");
        Objects.requireNonNull(persistence, "persistence");
        Objects.requireNonNull(totalSize, "totalSize");
    }
}
