package org.pgqj.payload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.BeanSerializerBase;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The contract of one payload type: the JSON its codec writes and reads, as a JSON Schema (draft 2020-12) the
 * other language validates against, and as the check {@link PayloadCodec} runs on every payload it encodes
 * or decodes. Get it from {@link PayloadCodec#contract(Class)}; it follows that codec's {@code ObjectMapper}
 * (property names, naming strategy, {@code @JsonProperty}, {@code @JsonIgnore}, enum values).
 *
 * <p>The rules, per Java type of a record component:
 * <ul>
 *   <li>required: every record component except {@code Optional} ones and those annotated with any
 *       {@code @Nullable}; those may be absent or {@code null}. Of a class that is not a record, only
 *       properties marked {@code @JsonProperty(required = true)} are required, and any may be null;</li>
 *   <li>{@code String}: string; {@code char}: a one-character string; {@code boolean}: true/false;</li>
 *   <li>{@code byte}, {@code short}, {@code int}, {@code long} (boxed too): an integer within the type's
 *       range; {@code BigInteger}: any integer; {@code float}, {@code double}: a number;</li>
 *   <li>{@code BigDecimal}: a number, or a numeric string (what pydantic writes for {@code Decimal}, and what the
 *       default codec writes, since a JSON number reaches Python as a float);</li>
 *   <li>{@code UUID}: the 36-character hyphenated string; {@code URI}: a string; {@code byte[]}: base64;</li>
 *   <li>{@code Instant}, {@code OffsetDateTime}, {@code ZonedDateTime}: an ISO-8601 date-time string WITH an
 *       offset ({@code Z} or {@code +02:00}), seconds required; {@code LocalDateTime}, {@code LocalDate},
 *       {@code LocalTime}: without one;</li>
 *   <li>enums: one of the values the mapper writes for the constants;</li>
 *   <li>{@code List}, {@code Set}, arrays: an array of the element's shape; {@code Map}: an object whose
 *       values have the value's shape; records and beans: an object (defined once in {@code $defs});</li>
 *   <li>anything else ({@code Duration}, {@code Object}, {@code JsonNode}, interfaces, a class the mapper writes
 *       through {@code @JsonValue} or a serializer of its own, java.time under {@code WRITE_DATES_AS_TIMESTAMPS}):
 *       any JSON, listed by {@link #unchecked()}.</li>
 * </ul>
 * Keys the contract does not name are allowed (Java ignores them), so a producer may add a field before the
 * consumers know it. Thread-safe and immutable.
 */
public final class PayloadContract {

    private static final String DRAFT = "https://json-schema.org/draft/2020-12/schema";
    private static final String DATE_TIME = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$";
    private static final String LOCAL_TIME = "[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?";

    private final Class<?> type;
    private final ObjectMapper mapper;
    private final ContractShape root;
    private final Map<String, ContractShape.ObjectOf> named;
    private final List<String> unchecked;

    private PayloadContract(Class<?> type, ObjectMapper mapper, ContractShape root,
                            Map<String, ContractShape.ObjectOf> named, List<String> unchecked) {
        this.type = type;
        this.mapper = mapper;
        this.root = root;
        this.named = named;
        this.unchecked = unchecked;
    }

    /** The contract of {@code type} as {@code mapper} writes and reads it. */
    static PayloadContract of(Class<?> type, ObjectMapper mapper) {
        Objects.requireNonNull(type, "type");
        Builder b = new Builder(mapper, type);
        ContractShape root = b.shape(mapper.constructType(type), "$");
        return new PayloadContract(type, mapper, root, Collections.unmodifiableMap(b.named), List.copyOf(b.unchecked));
    }

    /** The payload type. */
    public Class<?> type() {
        return type;
    }

    /** The entrypoint its {@link Entrypoint} annotation names, if it has one. */
    public Optional<String> entrypoint() {
        Entrypoint e = type.getAnnotation(Entrypoint.class);
        return e == null || e.value().isBlank() ? Optional.empty() : Optional.of(e.value());
    }

    /**
     * The JSON Schema (draft 2020-12): {@code title} is the Java type's simple name, {@code x-pgqj-entrypoint}
     * the entrypoint, {@code x-pgqj-java-type} the class, nested records in {@code $defs}. A fresh copy.
     */
    public ObjectNode schema() {
        ObjectNode s = ContractShape.NODES.objectNode();
        s.put("$schema", DRAFT);
        s.put("title", type.getSimpleName());
        s.put("description", entrypoint().map(e -> "Payload of entrypoint '" + e + "', ").orElse("")
                + "as " + type.getName() + " writes and reads it (pgqueuer-jooq payload contract)");
        entrypoint().ifPresent(e -> s.put("x-pgqj-entrypoint", e));
        s.put("x-pgqj-java-type", type.getName());
        s.setAll(root.schema());
        Map<String, ContractShape.ObjectOf> defs = new TreeMap<>(named);
        if (root instanceof ContractShape.ObjectOf o) {
            defs.remove(o.title());
        }
        if (!defs.isEmpty()) {
            ObjectNode d = s.putObject("$defs");
            defs.forEach((name, shape) -> d.set(name, shape.schema()));
        }
        return s;
    }

    /** {@link #schema()} as pretty-printed JSON with a final newline (what {@link PayloadContracts} writes). */
    public String schemaJson() {
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(schema()) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a schema is always JSON", e);
        }
    }

    /** Fields that are not checked (no rule for their type), as {@code $.path (java type)}. */
    public List<String> unchecked() {
        return unchecked;
    }

    /** Every way {@code json} breaks this contract; empty when it conforms. */
    public List<ContractViolation> validate(JsonNode json) {
        Objects.requireNonNull(json, "json");
        List<ContractViolation> out = new ArrayList<>();
        root.check(json, "$", named::get, out);
        return List.copyOf(out);
    }

    /** As {@link #validate(JsonNode)}, for JSON bytes (UTF-8); bytes that are not JSON are one violation at {@code $}. */
    public List<ContractViolation> validate(byte[] json) {
        JsonNode tree;
        try {
            tree = json == null || json.length == 0 ? null : mapper.readTree(json);
        } catch (IOException e) {
            String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            return List.of(new ContractViolation("$", "not JSON: " + message));
        }
        if (tree == null || tree.isMissingNode()) {
            return List.of(new ContractViolation("$", "empty payload; expected JSON"));
        }
        return validate(tree);
    }

    /** Walks a Java type into shapes, naming each record once. */
    private static final class Builder {
        private final ObjectMapper mapper;
        private final Class<?> rootType;
        private final Map<Class<?>, String> names = new HashMap<>();
        private final Map<String, ContractShape.ObjectOf> named = new LinkedHashMap<>();
        private final List<String> unchecked = new ArrayList<>();

        Builder(ObjectMapper mapper, Class<?> rootType) {
            this.mapper = mapper;
            this.rootType = rootType;
        }

        ContractShape shape(JavaType t, String path) {
            Class<?> raw = t.getRawClass();
            if (raw == Optional.class) {
                return new ContractShape.Nullable(shape(t.containedTypeOrUnknown(0), path));
            }
            if (raw == OptionalInt.class || raw == OptionalLong.class || raw == OptionalDouble.class) {
                return new ContractShape.Nullable(raw == OptionalInt.class ? integer("int", Integer.MIN_VALUE, Integer.MAX_VALUE)
                        : raw == OptionalLong.class ? integer("long", Long.MIN_VALUE, Long.MAX_VALUE)
                        : ContractShape.Scalar.number("double"));
            }
            ContractShape scalar = scalar(raw);
            if (scalar != null && isTime(raw) && mapper.isEnabled(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)) {
                return unchecked(t, path, "this mapper writes it as a timestamp (WRITE_DATES_AS_TIMESTAMPS)");
            }
            if (scalar != null) {
                return scalar;
            }
            if (raw.isEnum()) {
                List<JsonNode> values = new ArrayList<>();
                for (Object constant : raw.getEnumConstants()) {
                    values.add(mapper.valueToTree(constant));
                }
                return new ContractShape.OneOf(List.copyOf(values));
            }
            if (t.isArrayType() || t.isCollectionLikeType()) {
                return new ContractShape.ArrayOf(shape(t.getContentType(), path + "[*]"));
            }
            if (t.isMapLikeType()) {
                return new ContractShape.MapOf(shape(t.getContentType(), path + ".*"));
            }
            if ((raw.isRecord() || isBean(raw)) && writtenAsBean(t)) {
                return object(t, path);
            }
            if (raw != Object.class && !JsonNode.class.isAssignableFrom(raw)) {
                return unchecked(t, path, "no contract rule for it");
            }
            return new ContractShape.Any(null);
        }

        private ContractShape unchecked(JavaType t, String path, String why) {
            unchecked.add(path + " (" + t.toCanonical() + ")");
            return new ContractShape.Any(t.toCanonical() + ": " + why + "; any JSON is accepted here");
        }

        /** Whether the mapper writes the type property by property (not through @JsonValue or a custom serializer). */
        private boolean writtenAsBean(JavaType t) {
            try {
                return mapper.getSerializerProviderInstance().findValueSerializer(t) instanceof BeanSerializerBase;
            } catch (JsonMappingException e) {
                return false;
            }
        }

        private static boolean isTime(Class<?> raw) {
            return raw.getPackageName().equals("java.time");
        }

        private static ContractShape.Scalar integer(String name, long min, long max) {
            return ContractShape.Scalar.integer(name, min, max);
        }

        private static ContractShape scalar(Class<?> raw) {
            if (raw == String.class || raw == URI.class || raw == char[].class) {
                return ContractShape.Scalar.string();
            }
            if (raw == byte[].class) {
                return ContractShape.Scalar.patterned("a base64 string", "^[A-Za-z0-9+/]*={0,2}$", null);
            }
            if (raw == char.class || raw == Character.class) {
                return ContractShape.Scalar.character();
            }
            if (raw == boolean.class || raw == Boolean.class) {
                return ContractShape.Scalar.bool();
            }
            if (raw == byte.class || raw == Byte.class) {
                return integer("byte", Byte.MIN_VALUE, Byte.MAX_VALUE);
            }
            if (raw == short.class || raw == Short.class) {
                return integer("short", Short.MIN_VALUE, Short.MAX_VALUE);
            }
            if (raw == int.class || raw == Integer.class) {
                return integer("int", Integer.MIN_VALUE, Integer.MAX_VALUE);
            }
            if (raw == long.class || raw == Long.class) {
                return integer("long", Long.MIN_VALUE, Long.MAX_VALUE);
            }
            if (raw == BigInteger.class) {
                return ContractShape.Scalar.bigInteger();
            }
            if (raw == float.class || raw == Float.class || raw == double.class || raw == Double.class) {
                return ContractShape.Scalar.number(raw == float.class || raw == Float.class ? "float" : "double");
            }
            if (raw == BigDecimal.class) {
                return new ContractShape.Decimal();
            }
            if (raw == UUID.class) {
                return ContractShape.Scalar.patterned("a UUID string (8-4-4-4-12 hex digits)",
                        "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", "uuid");
            }
            if (raw == Instant.class || raw == OffsetDateTime.class || raw == ZonedDateTime.class) {
                return ContractShape.Scalar.patterned("an ISO-8601 date-time with an offset (2026-01-31T12:00:00Z)",
                        DATE_TIME, "date-time");
            }
            if (raw == LocalDateTime.class) {
                return ContractShape.Scalar.patterned("an ISO-8601 date-time without an offset (2026-01-31T12:00:00)",
                        "^[0-9]{4}-[0-9]{2}-[0-9]{2}T" + LOCAL_TIME + "$", null);
            }
            if (raw == LocalDate.class) {
                return ContractShape.Scalar.patterned("an ISO-8601 date (2026-01-31)", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "date");
            }
            if (raw == LocalTime.class) {
                return ContractShape.Scalar.patterned("an ISO-8601 time (12:00:00)", "^" + LOCAL_TIME + "$", null);
            }
            return null;
        }

        /** A concrete class of the application's own (not the JDK's) whose properties Jackson reads and writes. */
        private static boolean isBean(Class<?> raw) {
            return !raw.isPrimitive() && !raw.isInterface() && !Modifier.isAbstract(raw.getModifiers())
                    && !raw.getName().startsWith("java.") && !raw.getName().startsWith("javax.");
        }

        private ContractShape object(JavaType t, String path) {
            Class<?> raw = t.getRawClass();
            String known = names.get(raw);
            if (known != null) {
                return new ContractShape.Ref(known, raw == rootType);
            }
            String name = defName(raw);
            names.put(raw, name);
            BeanDescription description = mapper.getSerializationConfig().introspect(t);
            List<ContractShape.ObjectOf.Property> properties = new ArrayList<>();
            for (BeanPropertyDefinition p : description.findProperties()) {
                if (!p.couldSerialize()) {
                    continue;
                }
                JavaType propertyType = p.getPrimaryType();
                ContractShape shape = shape(propertyType, ContractShape.member(path, p.getName()));
                boolean nullable = shape instanceof ContractShape.Nullable || annotatedNullable(raw, p.getInternalName())
                        || !raw.isRecord() && !propertyType.isPrimitive() && !p.isRequired();
                if (nullable && !(shape instanceof ContractShape.Nullable) && !(shape instanceof ContractShape.Any)) {
                    shape = new ContractShape.Nullable(shape);
                }
                boolean required = raw.isRecord() ? !nullable || p.isRequired() : p.isRequired();
                properties.add(new ContractShape.ObjectOf.Property(p.getName(), shape, required));
            }
            ContractShape.ObjectOf object = new ContractShape.ObjectOf(name, List.copyOf(properties));
            named.put(name, object);
            return raw == rootType ? object : new ContractShape.Ref(name, false);
        }

        /** {@code Outer.Inner}; the binary name when two classes share it. */
        private String defName(Class<?> raw) {
            String pkg = raw.getPackageName();
            String simple = (pkg.isEmpty() ? raw.getName() : raw.getName().substring(pkg.length() + 1)).replace('$', '.');
            return named.containsKey(simple) || names.containsValue(simple) ? raw.getName() : simple;
        }

        /** Any annotation named {@code Nullable} (JSpecify, Jakarta, JetBrains, ...) on the record component. */
        private static boolean annotatedNullable(Class<?> owner, String component) {
            if (!owner.isRecord()) {
                return false;
            }
            for (RecordComponent c : owner.getRecordComponents()) {
                if (c.getName().equals(component)) {
                    Stream<AnnotatedElement> places = Stream.of(c, c.getAccessor(), c.getAnnotatedType());
                    try {
                        places = Stream.concat(places, Stream.of(owner.getDeclaredField(component)));
                    } catch (NoSuchFieldException e) {
                        // a record has a field per component; nothing more to look at otherwise
                    }
                    return places.flatMap(e -> Stream.of(e.getAnnotations()))
                            .map(Annotation::annotationType)
                            .anyMatch(a -> a.getSimpleName().equals("Nullable"));
                }
            }
            return false;
        }
    }
}
