package org.pgqj.examples.blog;

import java.time.Instant;
import org.pgqj.payload.Entrypoint;

/** Payload of {@code send_welcome}. */
@Entrypoint("send_welcome")
public record SendWelcome(String email, Instant signedUpAt) {
}
