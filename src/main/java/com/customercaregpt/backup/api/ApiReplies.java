package com.customercaregpt.backup.api;

import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.inventory.Inventory;
import com.customercaregpt.backup.replication.Replicator;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.camel.Exchange;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the REST API sends back: the body as JSON (the same field names as the CLI's --output json)
 * with a status code, and for a failure {"error": ..., "detail": ...}, never a stack trace.
 */
public final class ApiReplies {

    static final ObjectMapper JSON = ManifestCodec.JSON.copy().disable(SerializationFeature.INDENT_OUTPUT);

    /** The JSON bytes of {@code value}, for answers kept and sent again as they are. */
    public byte[] json(Object value) throws JsonProcessingException {
        return JSON.writeValueAsBytes(value);
    }

    public void ok(Exchange exchange) throws JsonProcessingException {
        reply(exchange, 200, exchange.getMessage().getBody());
    }

    public void accepted(Exchange exchange) throws JsonProcessingException {
        reply(exchange, 202, exchange.getMessage().getBody());
    }

    /** 200 when no check fails, 503 otherwise (for load balancers and monitors). */
    public void health(Exchange exchange) throws JsonProcessingException {
        Object report = exchange.getMessage().getBody();
        boolean failing = report instanceof com.customercaregpt.backup.health.HealthReport health
                && com.customercaregpt.backup.health.HealthReport.FAIL.equals(health.status());
        reply(exchange, failing ? 503 : 200, report);
    }

    /** Maps the caught exception to its status: 400 bad input, 401, 404, 409, else 500. */
    public void error(Exchange exchange) throws JsonProcessingException {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        e = com.customercaregpt.backup.app.BackupApplication.rootCause(e instanceof Exception x ? x : new Exception(e));
        int status;
        String error;
        String detail = e.getMessage();
        if (e instanceof ApiProblem problem) {
            status = problem.status();
            error = problem.error();
        } else if (e instanceof UsageError || e instanceof Settings.SettingsException) {
            status = 400;
            error = "bad request";
        } else if (e instanceof Inventory.NotFound) {
            status = 404;
            error = "not found";
        } else if (e instanceof Inventory.NotFinished || e instanceof Replicator.NotEnabled) {
            status = 409;
            error = "conflict";
        } else {
            status = 500;
            error = "internal error";
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        if (detail != null && status != 401) {
            body.put("detail", detail.lines().findFirst().orElse(detail));
        }
        if (status == 401) {
            exchange.getMessage().setHeader("WWW-Authenticate", "Bearer");
        }
        reply(exchange, status, body);
    }

    public boolean serverError(Exchange exchange) {
        Integer code = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return code != null && code >= 500;
    }

    private static void reply(Exchange exchange, int status, Object body) throws JsonProcessingException {
        org.apache.camel.Message message = exchange.getMessage();
        // Request headers must not leak back as response headers.
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(body instanceof byte[] json ? json : JSON.writeValueAsBytes(body));
        if (status == 401) {
            message.setHeader("WWW-Authenticate", "Bearer");
        }
    }
}
