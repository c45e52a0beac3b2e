package org.pgqj.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** How a payload (opaque bytes; JSON by convention) and a JSON column are shown. */
final class Payloads {

    /** Longest payload shown; the rest is cut and said so (a page must stay small). */
    static final int SHOWN_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * A payload as the page shows it.
     *
     * @param kind  "json" (pretty-printed), "hex" (not JSON), or "none" (SQL NULL)
     * @param text  what to put in the {@code <pre>}
     * @param bytes the payload's full size
     * @param cut   whether only the first {@link #SHOWN_BYTES} are shown
     */
    record Shown(String kind, String text, int bytes, boolean cut) {
    }

    private Payloads() {
    }

    static Shown show(Optional<byte[]> payload) {
        if (payload.isEmpty()) {
            return new Shown("none", "", 0, false);
        }
        byte[] b = payload.get();
        Optional<String> json = b.length <= SHOWN_BYTES ? prettyJson(b) : Optional.empty();
        if (json.isPresent()) {
            return new Shown("json", json.get(), b.length, false);
        }
        return new Shown("hex", hex(b, Math.min(b.length, SHOWN_BYTES)), b.length, b.length > SHOWN_BYTES);
    }

    /** The bytes pretty-printed when they are one UTF-8 JSON document. */
    static Optional<String> prettyJson(byte[] b) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
            return prettyJson(text);
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** A JSON text pretty-printed; empty when it is not JSON. */
    static Optional<String> prettyJson(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(text);
            return node == null || node.isMissingNode() ? Optional.empty() : Optional.of(JSON.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** A hex dump: offset, 16 bytes in hex, and their printable ASCII. */
    static String hex(byte[] b, int length) {
        StringBuilder out = new StringBuilder(length * 4 + 16);
        for (int row = 0; row < length; row += 16) {
            out.append(String.format("%08x  ", row));
            StringBuilder ascii = new StringBuilder(16);
            for (int i = row; i < row + 16; i++) {
                if (i < length) {
                    int v = b[i] & 0xff;
                    out.append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 15, 16)).append(' ');
                    ascii.append(v >= 0x20 && v < 0x7f ? (char) v : '.');
                } else {
                    out.append("   ");
                }
                if (i == row + 7) {
                    out.append(' ');
                }
            }
            out.append(" |").append(ascii).append("|\n");
        }
        return out.toString();
    }
}
