package org.pgqj.schema;

import java.util.List;
import java.util.Map;

/**
 * The objects of the pgqueuer schema, by unprefixed name: the 1.6.0 catalog (CONTRACT.md §1-§2) plus the
 * statistics index of 2.0.0 ({@code pgqueuer_statistics_created}, definition inferred).
 */
final class ExpectedObjects {

    private ExpectedObjects() {
    }

    static final List<String> STATUS_LABELS =
            List.of("queued", "picked", "successful", "exception", "canceled", "deleted", "failed");

    /** Table base name to its columns, in the order a fresh install creates them. */
    static final Map<String, List<String>> TABLE_COLUMNS = Map.of(
            "pgqueuer", List.of("id", "priority", "queue_manager_id", "created", "updated", "heartbeat",
                    "execute_after", "status", "entrypoint", "dedupe_key", "payload", "headers", "attempts", "slot"),
            "pgqueuer_log", List.of("id", "created", "job_id", "status", "priority", "entrypoint", "traceback",
                    "aggregated"),
            "pgqueuer_statistics", List.of("id", "created", "count", "priority", "status", "entrypoint"),
            "pgqueuer_schedules", List.of("id", "expression", "entrypoint", "heartbeat", "created", "updated",
                    "next_run", "last_run", "status"));

    static final List<String> TABLES = List.of("pgqueuer", "pgqueuer_log", "pgqueuer_statistics", "pgqueuer_schedules");

    /** Index base names (primary-key and unique-constraint indexes included). */
    static final List<String> INDEXES = List.of(
            "pgqueuer_pkey", "pgqueuer_priority_id_id1_idx", "pgqueuer_updated_id_id1_idx",
            "pgqueuer_queue_manager_id_idx", "pgqueuer_ep_prio_id_idx", "pgqueuer_ep_ea_idx",
            "pgqueuer_picked_heartbeat_idx", "pgqueuer_unique_dedupe_key", "pgqueuer_picked_slot_idx",
            "pgqueuer_log_pkey", "pgqueuer_log_not_aggregated", "pgqueuer_log_created", "pgqueuer_log_status",
            "pgqueuer_log_job_id_status", "pgqueuer_statistics_pkey", "pgqueuer_statistics_unique_count", "pgqueuer_statistics_created",
            "pgqueuer_schedules_pkey", "pgqueuer_schedules_expression_entrypoint_key");
}
