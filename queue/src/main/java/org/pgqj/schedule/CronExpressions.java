package org.pgqj.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.field.CronField;
import com.cronutils.model.field.expression.And;
import com.cronutils.model.field.expression.Between;
import com.cronutils.model.field.expression.Every;
import com.cronutils.model.field.expression.FieldExpression;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Cron expressions as pgqueuer stores them in {@code pgqueuer_schedules.expression}.
 *
 * <p>pgqueuer keys a schedule on {@code " ".join(croniter(expression).expressions)}: croniter lower-cases
 * the text, replaces the {@code @hourly}-style aliases, and splits on whitespace; names ({@code mon},
 * {@code jan}), steps, ranges, lists, {@code ?} and {@code 7} are kept as written. {@link #normalize}
 * reproduces that string so a Java registration and a Python registration of the same schedule are the
 * same row. Forms croniter accepts: 5 fields (minute hour day month weekday), 6 fields (seconds
 * <em>last</em>) and 7 fields (seconds, then year, last).
 *
 * <p>Validation and next-run times come from cron-utils. Croniter extensions that cron-utils cannot
 * evaluate identically ({@code L}, {@code W}, {@code #}, {@code H}/{@code R} hashing, wrap-around ranges
 * such as {@code fri-mon}, and {@code 5-5}, which croniter reads as "every value") are rejected rather
 * than run on a different schedule than Python would.
 */
public final class CronExpressions {

    // croniter's aliases (croniter.py _expand, expr_aliases, non-hashed form); looked up after lower-casing
    // the whole text, without trimming it.
    private static final Map<String, String> ALIASES = Map.of(
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *",
            "@daily", "0 0 * * *",
            "@weekly", "0 0 * * 0",
            "@monthly", "0 0 1 * *",
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *");

    private static final int DAY_FIELD = 2;
    private static final int DOW_FIELD = 4;

    private static final Pattern HASHED = Pattern.compile("^[hr](\\(\\d+-\\d+\\))?(/\\d+)?$");
    private static final Pattern DOW_LAST = Pattern.compile("^l\\d+$");
    private static final Pattern DAY_LAST_OR_WEEKDAY = Pattern.compile("(^|-)l(w)?$|^\\d+w$|^lw$");

    private static final CronParser FIVE_FIELDS =
            new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    // croniter's 6/7-field form: no 0->1 or 7->0 aliasing in the weekday field (value_alias), so 0-6 only.
    private static final CronDefinition SECONDS_DEFINITION = CronDefinitionBuilder.defineCron()
            .withSeconds().and()
            .withMinutes().and()
            .withHours().and()
            .withDayOfMonth().and()
            .withMonth().and()
            .withDayOfWeek().withValidRange(0, 6).withMondayDoWValue(1).and()
            .withYear().withValidRange(1970, 2099).optional().and()
            .instance();
    private static final CronParser WITH_SECONDS = new CronParser(SECONDS_DEFINITION);

    private CronExpressions() {}

    /**
     * The expression exactly as pgqueuer stores it, e.g. {@code "@daily"} → {@code "0 0 * * *"},
     * <code>"*&#47;5  *  * * MON"</code> → <code>"*&#47;5 * * * mon"</code>.
     *
     * @throws InvalidCronExpressionException if croniter would reject it, or the Java scheduler cannot
     *     run it the way Python would; the message names the expression
     */
    public static String normalize(String expression) {
        return parse(expression).normalized();
    }

    /** Parses once: the stored form and the cron-utils evaluator for it. */
    static CronSchedule parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        List<String> fields = croniterFields(expression);
        if (fields.size() < 5 || fields.size() > 7) {
            throw new InvalidCronExpressionException(expression, "croniter needs 5, 6 or 7 fields"
                    + " (minute hour day month weekday [second [year]]), found " + fields.size());
        }
        List<String> forCronUtils = new ArrayList<>(fields.size());
        for (int i = 0; i < fields.size(); i++) {
            forCronUtils.add(translateField(expression, i, fields.get(i)));
        }
        Cron cron;
        try {
            if (fields.size() == 5) {
                cron = FIVE_FIELDS.parse(String.join(" ", forCronUtils));
            } else {
                // croniter puts seconds sixth; cron-utils wants them first.
                List<String> reordered = new ArrayList<>(forCronUtils);
                reordered.addFirst(reordered.remove(5));
                cron = WITH_SECONDS.parse(String.join(" ", reordered));
            }
            cron.validate();
        } catch (IllegalArgumentException e) {
            String hint = String.valueOf(e.getMessage()).contains("Invalid range")
                    ? " (a wrap-around range such as fri-mon is not supported; write it as two ranges, fri-sat,sun-mon)"
                    : "";
            throw new InvalidCronExpressionException(expression, e.getMessage() + hint, e);
        }
        for (CronField field : cron.retrieveFieldsAsMap().values()) {
            rejectSingleValueRanges(expression, field.getExpression());
        }
        String normalized = String.join(" ", fields);
        CronSchedule schedule = new CronSchedule(normalized, ExecutionTime.forCron(cron));
        if (schedule.nextAfter(Instant.now()).isEmpty()) {
            // croniter accepts e.g. "0 0 30 2 *" and then fails on every get_next(); refuse it up front.
            throw new InvalidCronExpressionException(expression, "it never fires (no matching date)");
        }
        return schedule;
    }

    /** croniter's {@code expressions}: lower-cased, alias replaced, split on (Python) whitespace. */
    private static List<String> croniterFields(String expression) {
        String lower = expression.toLowerCase(Locale.ROOT);
        String text = ALIASES.getOrDefault(lower, lower);
        List<String> fields = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isPythonWhitespace(c)) {
                if (!current.isEmpty()) {
                    fields.add(current.toString());
                    current.setLength(0);
                }
            } else {
                current.append(c);
            }
        }
        if (!current.isEmpty()) {
            fields.add(current.toString());
        }
        return fields;
    }

    // str.split() with no argument splits on every character for which str.isspace() is true.
    private static boolean isPythonWhitespace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** The field in cron-utils' syntax, or an error for croniter features that cannot be honoured. */
    private static String translateField(String expression, int index, String field) {
        if (field.contains("?")) {
            if (!field.equals("?")) {
                throw new InvalidCronExpressionException(expression, "'?' cannot be combined with other characters");
            }
            if (index != DAY_FIELD && index != DOW_FIELD) {
                throw new InvalidCronExpressionException(expression, "'?' is only allowed in the day and weekday fields");
            }
            return "*"; // croniter reads '?' as '*'
        }
        for (String element : field.split(",", -1)) {
            if (HASHED.matcher(element).matches()) {
                throw unsupported(expression, "hashed/random values (H, R)");
            }
            if (index == DOW_FIELD && (element.contains("#") || DOW_LAST.matcher(element).matches())) {
                throw unsupported(expression, "nth/last weekday (#, L)");
            }
            if (index == DAY_FIELD && DAY_LAST_OR_WEEKDAY.matcher(element).find()) {
                throw unsupported(expression, "last day/nearest weekday (L, W)");
            }
        }
        return field;
    }

    private static InvalidCronExpressionException unsupported(String expression, String feature) {
        return new InvalidCronExpressionException(expression, "croniter's " + feature
                + " is not supported by the Java scheduler; register this schedule from Python or use plain fields");
    }

    // croniter expands "a-a" to the whole field (every value), cron-utils to the single value a.
    private static void rejectSingleValueRanges(String expression, FieldExpression e) {
        if (e instanceof And and) {
            and.getExpressions().forEach(inner -> rejectSingleValueRanges(expression, inner));
        } else if (e instanceof Every every) {
            rejectSingleValueRanges(expression, every.getExpression());
        } else if (e instanceof Between between
                && String.valueOf(between.getFrom().getValue()).equals(String.valueOf(between.getTo().getValue()))) {
            throw new InvalidCronExpressionException(expression, "a range with equal ends ("
                    + between.getFrom().getValue() + "-" + between.getTo().getValue()
                    + ") means every value to croniter but one value to cron; write '*' or the single value");
        }
    }
}
