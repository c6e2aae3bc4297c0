package com.customercaregpt.backup.api;

import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.health.HealthReport;
import com.customercaregpt.backup.inventory.Inventory;
import com.customercaregpt.backup.replication.Replicator;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.util.Map;

/**
 * The status of what the REST API sends back; the REST DSL's JSON binding writes the body (the same
 * field names as the CLI's --output json). A failure is {"error": ..., "detail": ...}, never a stack trace.
 */
public final class ApiReplies {

    /** The JSON bytes of {@code value}, for answers kept and sent again as they are. */
    public byte[] json(Object value) throws JsonProcessingException {
        return ApiJsonFormat.MAPPER.writeValueAsBytes(value);
    }

    public void ok(Exchange exchange) {
        reply(exchange, 200, exchange.getMessage().getBody());
    }

    /** 202 with the operation to follow ({@code Operations.accepted}). */
    @SuppressWarnings("unchecked")
    public void accepted(Exchange exchange) {
        reply(exchange, 202, ApiBodies.Accepted.of(exchange.getMessage().getBody(Map.class)));
    }

    /** 200 when no check fails, 503 otherwise (for load balancers and monitors). */
    public void health(Exchange exchange) {
        Object report = exchange.getMessage().getBody();
        boolean failing = report instanceof HealthReport health && HealthReport.FAIL.equals(health.status());
        reply(exchange, failing ? 503 : 200, report);
    }

    /** Maps the caught exception to its status: 400 bad input, 401, 404, 409, else 500. */
    public void error(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        e = BackupApplication.rootCause(e instanceof Exception x ? x : new Exception(e));
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
        reply(exchange, status, new ApiBodies.Problem(error,
                detail == null || status == 401 ? null : detail.lines().findFirst().orElse(detail)));
    }

    public boolean serverError(Exchange exchange) {
        Integer code = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return code != null && code >= 500;
    }

    private static void reply(Exchange exchange, int status, Object body) {
        Message message = exchange.getMessage();
        // Request headers must not leak back as response headers.
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(body);
        if (status == 401) {
            message.setHeader("WWW-Authenticate", "Bearer");
        }
    }
}
