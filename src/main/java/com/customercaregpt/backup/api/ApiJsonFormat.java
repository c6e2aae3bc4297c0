package com.customercaregpt.backup.api;

import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import org.apache.camel.Exchange;
import org.apache.camel.component.jackson.JacksonDataFormat;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import java.io.IOException;
import java.util.Locale;

/**
 * The REST DSL's JSON binding (restConfiguration jsonDataFormat: api-json): camel-jackson with the
 * CLI's field names, strict on the way in. A body it cannot bind becomes a {@link Rejected}, which the
 * `api` route configuration answers as a 400 naming the field (never a Java class).
 */
public class ApiJsonFormat extends JacksonDataFormat {

    /** Answers: the field names and order of the CLI's --output json, on one line. */
    static final ObjectMapper MAPPER = strict(ManifestCodec.JSON.copy().disable(SerializationFeature.INDENT_OUTPUT));

    public ApiJsonFormat() {
        setObjectMapper(MAPPER);
        setUseDefaultObjectMapper(false);
        setAutoDiscoverObjectMapper(false);
    }

    /** A request body that did not bind; thrown by the first step of the route. */
    public record Rejected(ApiProblem problem) {
    }

    /** No field the request does not have, no value bent into another type, no duplicate, nothing after the object. */
    private static ObjectMapper strict(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT, DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);
        mapper.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        for (LogicalType scalar : List.of(LogicalType.Textual, LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            for (CoercionInputShape shape : List.of(CoercionInputShape.String, CoercionInputShape.Integer,
                    CoercionInputShape.Float, CoercionInputShape.Boolean, CoercionInputShape.EmptyString)) {
                mapper.coercionConfigFor(scalar).setCoercion(shape, CoercionAction.Fail);
            }
        }
        return mapper;
    }

    @Override
    public Object unmarshal(Exchange exchange, Object body) throws Exception {
        return read(exchange, exchange.getContext().getTypeConverter().mandatoryConvertTo(byte[].class, exchange, body));
    }

    @Override
    public Object unmarshal(Exchange exchange, InputStream stream) throws Exception {
        return read(exchange, stream.readAllBytes());
    }

    private Object read(Exchange exchange, byte[] json) {
        // A chunked body has no Content-Length for the guard to check before it is read.
        ApiGuard guard = exchange.getContext().getRegistry().lookupByNameAndType("apiGuard", ApiGuard.class);
        if (guard != null && guard.tooLarge(json.length) != null) {
            return new Rejected(guard.tooLarge(json.length));
        }
        Class<?> type = getUnmarshalType() == null ? Object.class : getUnmarshalType();
        try {
            return MAPPER.readValue(json, type);
        } catch (JacksonException e) {
            return new Rejected(problem(type, e));
        } catch (IOException e) {
            return new Rejected(new ApiProblem.BadRequest("unreadable body", e.getMessage()));
        }
    }

    /** Answers are written as they are when they already are JSON (the kept /backup/list answers). */
    @Override
    public void marshal(Exchange exchange, Object graph, OutputStream stream) throws Exception {
        if (graph instanceof byte[] json) {
            stream.write(json);
        } else {
            super.marshal(exchange, graph, stream);
        }
    }

    /** What a client needs to fix its request: the field, what it must be, what it was. */
    static ApiProblem problem(Class<?> type, JacksonException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof JsonParseException malformed) {
                return malformed(malformed);
            }
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            Collection<Object> known = unknown.getKnownPropertyIds();
            return new ApiProblem.BadRequest("unknown field", "'" + unknown.getPropertyName()
                    + "' is not a field of this request (fields: "
                    + known.stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")");
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()
                && mapping.getPath().get(0).getFieldName() != null) {
            String field = mapping.getPath().get(0).getFieldName();
            Object value = e instanceof InvalidFormatException format ? format.getValue() : null;
            return new ApiProblem.BadRequest("bad request", field + " must be " + expected(type, field)
                    + (value == null ? "" : ", got " + shown(value)));
        }
        if (e instanceof JsonMappingException) {
            return new ApiProblem.BadRequest("malformed request", "the body must be a JSON object, like {}");
        }
        return malformed(e);
    }

    /** Not JSON: the parser's own words and where, without the source it quotes. */
    private static ApiProblem malformed(JacksonException e) {
        JsonLocation at = e.getLocation();
        String message = e.getOriginalMessage().lines().findFirst().orElse("").replaceAll(" \\(.*", "");
        return new ApiProblem.BadRequest("malformed JSON", message
                + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
    }

    /** The JSON type a request field takes, in words, from the request record's component. */
    private static String expected(Class<?> type, String field) {
        if (type.isRecord()) {
            for (RecordComponent component : type.getRecordComponents()) {
                if (jsonName(component).equals(field)) {
                    Class<?> javaType = component.getType();
                    if (Collection.class.isAssignableFrom(javaType)) {
                        return "a list of " + field.replaceAll("s$", "") + " names";
                    }
                    if (javaType == Boolean.class || javaType == boolean.class) {
                        return "true or false";
                    }
                    if (javaType == Integer.class || javaType == int.class || javaType == Long.class) {
                        return "a whole number";
                    }
                    return "a string";
                }
            }
        }
        return "a valid value";
    }

    private static String jsonName(RecordComponent component) {
        return component.getName().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
    }

    private static String shown(Object value) {
        String text = value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
        return text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }
}
