package org.pgqj.schema;

import java.util.List;

/**
 * The outcome of {@link PgqueuerSchema#verify()}.
 *
 * @param names   the prefix and schema that were checked
 * @param missing every expected object that is absent, e.g. {@code "column public.pgqueuer.slot"},
 *                in a stable order; empty when the schema is complete
 * @param present every expected object that exists
 */
public record SchemaVerification(PgqueuerNames names, List<String> missing, List<String> present) {

    /** Copies the lists. */
    public SchemaVerification {
        missing = List.copyOf(missing);
        present = List.copyOf(present);
    }

    /** Every expected object exists. */
    public boolean isComplete() {
        return missing.isEmpty();
    }

    /** No expected object exists (as after {@link PgqueuerSchema#uninstall()}). */
    public boolean isAbsent() {
        return present.isEmpty();
    }

    /** A one-paragraph description, suitable for an error message or a CLI. */
    public String describe() {
        if (isComplete()) {
            return "pgqueuer schema complete in schema '" + names.schema() + "' (prefix '" + names.prefix() + "')";
        }
        if (isAbsent()) {
            return "pgqueuer schema absent in schema '" + names.schema() + "' (prefix '" + names.prefix()
                    + "'); install it first (PgqueuerSchema.migrate(), or `pgqj install`)";
        }
        return "pgqueuer schema incomplete in schema '" + names.schema() + "' (prefix '" + names.prefix()
                + "'); missing: " + String.join(", ", missing) + ". Run the migrations (PgqueuerSchema.migrate()) to upgrade.";
    }
}
