package org.pgqj.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Plain-text tables for terminal output. */
final class Table {

    private Table() {
    }

    static void print(PrintWriter out, List<String> header, List<List<String>> rows) {
        int[] width = new int[header.size()];
        for (int i = 0; i < header.size(); i++) {
            width[i] = header.get(i).length();
            for (List<String> row : rows) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        out.println(line(header, width));
        StringBuilder rule = new StringBuilder();
        for (int w : width) {
            rule.append(rule.isEmpty() ? "" : "-+-").append("-".repeat(w));
        }
        out.println(rule);
        for (List<String> row : rows) {
            out.println(line(row, width));
        }
        out.flush();
    }

    private static String line(List<String> cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append(" | ");
            }
            sb.append(cells.get(i)).append(" ".repeat(width[i] - cells.get(i).length()));
        }
        return sb.toString().stripTrailing();
    }

    /** The payload as text when it is short UTF-8, else its size. */
    static String preview(byte[] payload) {
        if (payload.length == 0) {
            return "-";
        }
        String text = new String(payload, StandardCharsets.UTF_8);
        boolean printable = text.chars().allMatch(c -> c >= 0x20 && c != 0xFFFD);
        if (printable && text.length() <= 60) {
            return text;
        }
        return payload.length + " bytes";
    }
}
