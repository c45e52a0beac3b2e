package org.pgqj.examples.readme;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.NonRetryableException;
import org.pgqj.worker.RetryPolicy;

/** The README's "Timeouts and failures that must not retry" snippets. */
final class JobControlSnippets {

    private JobControlSnippets() {
    }

    interface Acquirer {
        Charge charge(String cardToken, long cents) throws Exception;
    }

    record Charge(boolean declined, String reason) { }

    /** A partner API's failure, with its HTTP status. */
    static final class PartnerApiException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        PartnerApiException(int status) {
            super("HTTP " + status);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    static EntrypointOptions timeout() {
        // tag::timeout[]
        EntrypointOptions options = EntrypointOptions.builder()
                .timeout(Duration.ofSeconds(30))                // cancelled and interrupted at 30 s: a failure
                .retryPolicy(RetryPolicy.exponentialBackoff())  // retried like any other, then final
                .onFailure(EntrypointOptions.OnFailure.HOLD)
                .build();
        // end::timeout[]
        return options;
    }

    static void charge(Acquirer acquirer, String cardToken, long cents) throws Exception {
        // tag::non-retryable[]
        Charge charge = acquirer.charge(cardToken, cents);
        if (charge.declined()) {   // retrying cannot help: final at once, whatever attempts are left
            throw new NonRetryableException("card declined: " + charge.reason());
        }
        // end::non-retryable[]
    }

    static RetryPolicy noRetryFor() {
        // tag::no-retry-for[]
        RetryPolicy policy = RetryPolicy.exponentialBackoff()
                .noRetryFor(IllegalArgumentException.class, DateTimeParseException.class)  // and their subtypes
                .retryOn(e -> !(e instanceof PartnerApiException p) || p.status() >= 500); // a 4xx: never
        // end::no-retry-for[]
        return policy;
    }
}
