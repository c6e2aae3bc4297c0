package com.customercaregpt.backup.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The REST API's OpenAPI document, written by hand in {@value #RESOURCE} (the REST DSL cannot state
 * patterns, bounds, examples or every status) and served as JSON at /api/v1/openapi.json.
 */
public final class ApiDocument {

    public static final String RESOURCE = "api/openapi.yaml";

    private final JsonNode document;

    public ApiDocument() {
        try (InputStream yaml = ApiDocument.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (yaml == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the program");
            }
            document = new YAMLMapper().readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    public JsonNode document() {
        return document;
    }
}
