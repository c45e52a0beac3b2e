package org.pgqj.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One node of a payload contract: what JSON a Java type reads and writes. Each shape both renders its JSON
 * Schema (2020-12) and checks a JSON value, so the schema a Python producer validates against and the check
 * the Java side runs at decode are one rule set.
 */
sealed interface ContractShape {

    JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** This shape as JSON Schema (nested records as {@code $ref}s to the contract's {@code $defs}). */
    ObjectNode schema();

    /** Adds what is wrong with {@code value} at {@code path}; {@code defs} resolves references. */
    void check(JsonNode value, String path, Function<String, ContractShape> defs, List<ContractViolation> out);

    /** A string, number, integer or boolean, with its bounds. */
    record Scalar(String type, String expected, BigInteger minimum, BigInteger maximum, Pattern pattern,
                  String format, Integer length) implements ContractShape {

        static Scalar string() {
            return new Scalar("string", "a string", null, null, null, null, null);
        }

        static Scalar character() {
            return new Scalar("string", "a string of one character", null, null, null, null, 1);
        }

        static Scalar bool() {
            return new Scalar("boolean", "true or false", null, null, null, null, null);
        }

        static Scalar number(String javaName) {
            return new Scalar("number", "a number (" + javaName + ")", null, null, null, null, null);
        }

        static Scalar integer(String javaName, long min, long max) {
            return new Scalar("integer", "an integer (" + javaName + ")", BigInteger.valueOf(min), BigInteger.valueOf(max),
                    null, null, null);
        }

        static Scalar bigInteger() {
            return new Scalar("integer", "an integer", null, null, null, null, null);
        }

        static Scalar patterned(String expected, String regex, String format) {
            return new Scalar("string", expected, null, null, Pattern.compile(regex), format, null);
        }

        @Override
        public ObjectNode schema() {
            ObjectNode s = NODES.objectNode().put("type", type);
            if (format != null) {
                s.put("format", format);
            }
            if (pattern != null) {
                s.put("pattern", pattern.pattern());
            }
            if (length != null) {
                s.put("minLength", length).put("maxLength", length);
            }
            if (minimum != null) {
                s.put("minimum", minimum).put("maximum", maximum);
            }
            return s;
        }

        @Override
        public void check(JsonNode value, String path, Function<String, ContractShape> defs, List<ContractViolation> out) {
            BigInteger whole = "integer".equals(type) ? integral(value) : null;
            boolean ok = switch (type) {
                case "string" -> value.isTextual()
                        && (pattern == null || pattern.matcher(value.textValue()).matches())
                        && (length == null || value.textValue().codePointCount(0, value.textValue().length()) == length);
                case "boolean" -> value.isBoolean();
                case "number" -> value.isNumber();
                default -> whole != null && (minimum == null || whole.compareTo(minimum) >= 0 && whole.compareTo(maximum) <= 0);
            };
            if (!ok) {
                String bounds = whole != null && minimum != null ? " between " + minimum + " and " + maximum : "";
                out.add(new ContractViolation(path, "expected " + expected + bounds + ", got " + describe(value)));
            }
        }

        /** The integer a JSON number holds (1.0 counts, as in JSON Schema), or null. */
        private static BigInteger integral(JsonNode value) {
            if (value.isIntegralNumber()) {
                return value.bigIntegerValue();
            }
            if (value.isFloatingPointNumber() && (value.isBigDecimal() || Double.isFinite(value.doubleValue()))) {
                BigDecimal d = value.decimalValue();
                return d.signum() == 0 || d.stripTrailingZeros().scale() <= 0 ? d.toBigInteger() : null;
            }
            return null;
        }
    }

    /** A BigDecimal: a JSON number or a numeric string (what pydantic writes for Decimal, and the default codec). */
    record Decimal() implements ContractShape {
        static final Pattern NUMERIC = Pattern.compile("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$");

        @Override
        public ObjectNode schema() {
            ObjectNode s = NODES.objectNode();
            s.putArray("type").add("number").add("string");
            return s.put("pattern", NUMERIC.pattern());
        }

        @Override
        public void check(JsonNode value, String path, Function<String, ContractShape> defs, List<ContractViolation> out) {
            if (!value.isNumber() && !(value.isTextual() && NUMERIC.matcher(value.textValue()).matches())) {
                out.add(new ContractViolation(path, "expected a decimal number (a JSON number or a numeric string), got "
                        + describe(value)));
            }
        }
    }

    /** One of the JSON values the mapper writes for an enum's constants. */
    record OneOf(List<JsonNode> values) implements ContractShape {
        @Override
        public ObjectNode schema() {
            ObjectNode s = NODES.objectNode();
            if (values.stream().allMatch(JsonNode::isTextual)) {
                s.put("type", "string");
            }
            s.putArray("enum").addAll(values);
            return s;
        }

        @Override
        public void check(JsonNode value, String path, Function<String, ContractShape> defs, List<ContractViolation> out) {
            if (!values.contains(value)) {
                out.add(new ContractViolation(path, "expected one of " + values.stream().map(JsonNode::toString)
                        .collect(Collectors.joining(", ")) + ", got " + describe(value)));
            }
        }
    }

    /** A list, set or array. */
    record ArrayOf(ContractShape items) implements ContractShape {
        @Override
        public ObjectNode schema() {
            ObjectNode s = NODES.objectNode().put("type", "array");
            s.set("items", items.schema());
            return s;
        }

        @Override
        public void check(JsonNode value, String path, Function<String, ContractShape> defs, List<ContractViolation> out) {
            if (!isKind(value.isArray(), "an array", value, path, out)) {
                return;
            }
            for (int i = 0; i < value.size(); i++) {
                items.check(value.get(i), path + "[" + i + "]", defs, out);
            }
        }
    }

    /** A map: an object whose keys are free and whose values all have one shape. */
    record MapOf(ContractShape values) implements ContractShape {
        @Override
        public ObjectNode schema() {
            ObjectNode s = NODES.objectNode().put("type", "object");
            s.set("additionalProperties", values.schema());
            return s;
        }

        @Override
        public void check(JsonNode value, String path, Function<String, ContractShape> defs, List<ContractViolation> out) {
            if (!isKind(value.isObject(), "an object", value, path, out)) {
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                values.check(e.getValue(), member(path, e.getKey()), defs, out);
            }
        }
    }

    /** A record (or bean): named properties, some required; other keys are allowed and ignored by Java. */
    record ObjectOf(String title, List<Property> properties) implements ContractShape {

        /** One property: its JSON name, its shape, and whether it must be there. */
        record Property(String name, ContractShape shape, boolean required) { }

        @Override
        public ObjectNode schema() {
            ObjectNode s = NODES.objectNode().put("type", "object");
            ObjectNode props = s.putObject("properties");
            ArrayNode required = NODES.arrayNode();
            for (Property p : properties) {
                props.set(p.name(), p.shape().schema());
                if (p.required()) {
                    required.add(p.name());
                }
            }
            if (!required.isEmpty()) {
                s.set("required", required);
            }
            return s;
        }

        @Override
        public void check(JsonNode value, String path, Function<String, ContractShape> defs, List<ContractViolation> out) {
            if (!isKind(value.isObject(), "an object", value, path, out)) {
                return;
            }
            Set<String> known = new HashSet<>();
            properties.forEach(p -> known.add(p.name()));
            for (Property p : properties) {
                JsonNode v = value.get(p.name());
                if (v == null) {
                    if (p.required()) {
                        out.add(new ContractViolation(member(path, p.name()), "required, missing" + renamedHint(value, p.name(), known)));
                    }
                } else {
                    p.shape().check(v, member(path, p.name()), defs, out);
                }
            }
        }

        /** A key of {@code value} that is the missing name spelled another way (articleId for article_id). */
        private static String renamedHint(JsonNode value, String missing, Set<String> known) {
            List<String> like = new ArrayList<>();
            for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!known.contains(key) && loose(key).equals(loose(missing))) {
                    like.add("'" + key + "'");
                }
            }
            return like.isEmpty() ? "" : " (the payload has " + String.join(", ", like) + ": renamed?)";
        }

        private static String loose(String name) {
            return name.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
        }
    }

    /** A shape or JSON null: an Optional, or a component annotated {@code @Nullable}. */
    record Nullable(ContractShape value) implements ContractShape {
        @Override
        public ObjectNode schema() {
            ObjectNode s = NODES.objectNode();
            s.putArray("anyOf").add(value.schema()).add(NODES.objectNode().put("type", "null"));
            return s;
        }

        @Override
        public void check(JsonNode json, String path, Function<String, ContractShape> defs, List<ContractViolation> out) {
            if (!json.isNull()) {
                value.check(json, path, defs, out);
            }
        }
    }

    /** A named object shape defined once in {@code $defs} (nested and recursive records). */
    record Ref(String name, boolean root) implements ContractShape {
        @Override
        public ObjectNode schema() {
            return NODES.objectNode().put("$ref", root ? "#" : "#/$defs/" + name);
        }

        @Override
        public void check(JsonNode value, String path, Function<String, ContractShape> defs, List<ContractViolation> out) {
            defs.apply(name).check(value, path, defs, out);
        }
    }

    /** Any JSON: a type this contract has no rule for (say which in the schema's description). */
    record Any(String note) implements ContractShape {
        @Override
        public ObjectNode schema() {
            ObjectNode s = NODES.objectNode();
            return note == null ? s : s.put("description", note);
        }

        @Override
        public void check(JsonNode value, String path, Function<String, ContractShape> defs, List<ContractViolation> out) {
            // anything goes
        }
    }

    /** Whether a container value is of the kind expected; when not, says so at {@code path}. */
    private static boolean isKind(boolean ok, String expected, JsonNode value, String path, List<ContractViolation> out) {
        if (!ok) {
            out.add(new ContractViolation(path, "expected " + expected + ", got " + describe(value)));
        }
        return ok;
    }

    /** {@code $.a.b}, or {@code $['a b']} for a key that is not a plain name. */
    static String member(String path, String key) {
        return key.matches("[A-Za-z_][A-Za-z0-9_]*") ? path + "." + key
                : path + "['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']";
    }

    /** A JSON value as an error message shows it: the string "42a", the number 1.5, null, an object. */
    static String describe(JsonNode value) {
        if (value.isTextual()) {
            String text = value.textValue();
            return "the string " + NODES.textNode(text.length() > 60 ? text.substring(0, 57) + "..." : text);
        }
        if (value.isNumber()) {
            return "the number " + value;
        }
        if (value.isBoolean()) {
            return value.toString();
        }
        if (value.isNull()) {
            return "null";
        }
        return value.isArray() ? "an array" : "an object";
    }
}
