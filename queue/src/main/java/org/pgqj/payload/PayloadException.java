package org.pgqj.payload;

import java.util.List;
import org.pgqj.core.PgqjException;

/**
 * A payload could not be encoded or decoded. The message names the type and every field that broke its
 * contract ({@code $.article_id: required, missing}), or the JSON error.
 */
public class PayloadException extends PgqjException {

    private static final long serialVersionUID = 1L;

    /** Not serialised with the exception: the message carries the same text. */
    private final transient List<ContractViolation> violations;

    /** With a message naming the type and the problem. */
    public PayloadException(String message) {
        this(message, List.of());
    }

    /** With a message naming the type and the problem, and the JSON error. */
    public PayloadException(String message, Throwable cause) {
        super(message, cause);
        this.violations = List.of();
    }

    /** With a message naming the type, and the fields that broke the contract. */
    public PayloadException(String message, List<ContractViolation> violations) {
        super(message);
        this.violations = List.copyOf(violations);
    }

    /** The fields that broke the type's contract; empty when the failure was of another kind. */
    public List<ContractViolation> violations() {
        return violations == null ? List.of() : violations;
    }
}
