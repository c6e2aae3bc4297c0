package com.customercaregpt.backup.alert;

import com.customercaregpt.backup.repository.LockClaims;
import com.customercaregpt.backup.repository.Manifest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Builds alerts from what a route raised, drops repeats within the repeat window, notices when a condition
 * clears, and posts to the webhook. Which alerts are open lives in memory: a restart forgets them.
 */
public final class Alerts {

    /** Where the alert route's callers put the kind (otherwise the failed route's id decides it). */
    public static final String KIND_HEADER = "alertKind";
    /** The id of the route that failed, set by routes/errors.camel.yaml. */
    public static final String ROUTE_HEADER = "alertRoute";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String webhookUrl;
    private final int webhookAttempts;
    private final Duration webhookBackoff;
    private final Duration repeatAfter;
    private final MailSettings mail;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, Open> open = new ConcurrentHashMap<>();

    /** An alert that has fired and not cleared: when it began and when it was last sent. */
    private record Open(Alert alert, Instant lastSent) {
    }

    /** Where alert emails go; an empty host sends none. */
    public record MailSettings(String host, int port, boolean tls, String user, String password, String from,
                               String to) {
    }

    public Alerts(String webhookUrl, int webhookAttempts, Duration webhookBackoff, Duration repeatAfter,
                  MailSettings mail, Clock clock) {
        this.webhookUrl = webhookUrl == null ? "" : webhookUrl.trim();
        this.webhookAttempts = Math.max(1, webhookAttempts);
        this.webhookBackoff = webhookBackoff;
        this.repeatAfter = repeatAfter;
        this.mail = mail;
        this.clock = clock;
    }

    /** The alert for what a route sent to direct:alert: an Alert as is, else built from the text and headers. */
    public Alert describe(Object body, Map<String, Object> headers, Object manifest) {
        if (body instanceof Alert alert) {
            return alert.resolved() ? alert : sinceFirst(alert);
        }
        String cause = body == null ? "no cause given" : body.toString();
        String kind = headerOr(headers, KIND_HEADER, null);
        if (kind == null) {
            kind = kindOfRoute(headerOr(headers, ROUTE_HEADER, ""));
        }
        String now = clock.instant().toString();
        if (kind.equals("backup") && manifest instanceof Manifest backup) {
            String failed = backup.components().stream()
                    .filter(c -> !Manifest.COMPLETED.equals(c.status())).map(Manifest.ComponentRecord::name)
                    .collect(Collectors.joining(","));
            return sinceFirst(new Alert("backup-" + backup.status(), severity(backup.status()),
                    failed.isEmpty() ? null : failed, backup.backupId(), now, cause,
                    "backup-manager show " + backup.backupId(), false));
        }
        if (kind.equals("backup")) {
            kind = "backup-failed";
        }
        // A step of a backup (its off-site copy) that failed is about that backup.
        String id = manifest instanceof Manifest backup ? backup.backupId() : headerOr(headers, "alertId", null);
        return sinceFirst(new Alert(kind, "critical", headerOr(headers, "alertComponent", null), id, now, cause,
                id == null ? "backup-manager list" : "backup-manager show " + id, false));
    }

    /** A repeat says since when the condition has lasted, not when it was last seen. */
    private Alert sinceFirst(Alert alert) {
        Open before = open.get(alert.key());
        return before == null ? alert : new Alert(alert.kind(), alert.severity(), alert.component(), alert.subjectId(),
                before.alert().since(), alert.cause(), alert.lookFurther(), false);
    }

    /** True when this alert should go out: new, resolved, or last sent longer ago than the repeat window. */
    public boolean isNew(Alert alert) {
        Instant now = clock.instant();
        if (alert.resolved()) {
            return open.remove(alert.key()) != null;
        }
        Open before = open.get(alert.key());
        if (before != null && before.lastSent().plus(repeatAfter).isAfter(now)) {
            return false;
        }
        open.put(alert.key(), new Open(before == null ? alert : before.alert(), now));
        return true;
    }

    /** The open backup alerts a completed backup clears: those whose failed components it now holds. */
    public List<Alert> resolvedBy(Manifest backup) {
        List<Alert> resolved = new ArrayList<>();
        if (!Manifest.COMPLETED.equals(backup.status())) {
            return resolved;
        }
        Set<String> done = Set.copyOf(backup.componentNames());
        for (Iterator<Open> each = open.values().iterator(); each.hasNext(); ) {
            Alert alert = each.next().alert();
            if (alert.kind().startsWith("backup-") && alert.component() != null
                    && done.containsAll(List.of(alert.component().split(",")))) {
                resolved.add(alert.asResolved("backup " + backup.backupId() + " of " + alert.component()
                        + " completed", backup.backupId(), "backup-manager show " + backup.backupId()));
            }
        }
        return resolved;
    }

    /** A "resolved" for the open alert of this kind about this component; none when it is not open. */
    public List<Alert> clears(String kind, String component, String why, String look) {
        Open before = open.get(Alert.key(kind, component));
        return before == null ? List.of() : List.of(before.alert().asResolved(why, before.alert().subjectId(), look));
    }

    /** The alert for a run that took over the stale lock of a dead owner (its claim names who and since when). */
    public Alert lockTakenOver(LockClaims.Takeover takeover) {
        return new Alert("lock", "warning", takeover.location(), null, clock.instant().toString(),
                "took over the stale lock of " + takeover.operation() + " on host " + takeover.host() + " (pid "
                        + takeover.pid() + ", since " + takeover.since() + ", last heartbeat "
                        + takeover.lastHeartbeat() + "), whose owner is gone",
                "the log of " + takeover.host() + " around " + takeover.lastHeartbeat(), false);
    }

    public boolean hasWebhook() {
        return !webhookUrl.isEmpty();
    }

    public boolean hasEmail() {
        return mail != null && mail.host() != null && !mail.host().isBlank();
    }

    /** Slack-compatible: "text" for chat, the fields by name for anything else. */
    public String webhookJson(Alert alert) {
        ObjectNode root = JSON.createObjectNode();
        root.put("text", (alert.resolved() ? ":white_check_mark: " : ":rotating_light: ") + alert.line());
        ObjectNode attachment = root.putArray("attachments").addObject();
        attachment.put("color", alert.resolved() ? "good" : "danger");
        ArrayNode fields = attachment.putArray("fields");
        alert.fields().forEach((name, value) -> fields.addObject().put("title", name).put("value", value)
                .put("short", !name.equals("cause")));
        root.set("alert", JSON.valueToTree(alert.fields()));
        return root.toString();
    }

    /** Posts the alert, retrying with doubling waits; the error names the host only (the URL may hold a token). */
    public void postWebhook(Alert alert) throws IOException, InterruptedException {
        URI uri;
        HttpRequest request;
        try {
            uri = URI.create(webhookUrl);
            request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(webhookJson(alert), StandardCharsets.UTF_8)).build();
        } catch (IllegalArgumentException malformed) {
            // the parser's message quotes the whole URL, token and all
            throw new IOException("backup.alerts.webhook-url is not a valid http(s) URL");
        }
        String last = "";
        Duration wait = webhookBackoff;
        for (int attempt = 1; attempt <= webhookAttempts; attempt++) {
            try {
                HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    return;
                }
                last = "HTTP " + response.statusCode();
            } catch (IOException e) {
                last = e.getClass().getSimpleName();
            }
            if (attempt < webhookAttempts) {
                Thread.sleep(wait.toMillis());
                wait = wait.multipliedBy(2);
            }
        }
        throw new IOException("webhook at " + uri.getHost() + " failed " + webhookAttempts + " times, last: " + last);
    }

    /** The camel-mail endpoint for alert emails (Camel masks the password wherever it shows an endpoint). */
    public String mailUri() {
        StringBuilder uri = new StringBuilder(mail.tls() ? "smtps://" : "smtp://").append(mail.host()).append(':')
                .append(mail.port()).append("?from=").append(encode(mail.from())).append("&to=")
                .append(encode(mail.to()));
        if (mail.user() != null && !mail.user().isBlank()) {
            uri.append("&username=").append(encode(mail.user())).append("&password=RAW(").append(mail.password())
                    .append(')');
        }
        return uri.toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }

    private static String severity(String status) {
        return Manifest.FAILED.equals(status) ? "critical" : "warning";
    }

    private static String kindOfRoute(String routeId) {
        if (routeId.startsWith("restore")) {
            return "restore-failed";
        }
        if (routeId.startsWith("verify")) {
            return "verify-failed";
        }
        if (routeId.startsWith("replicat")) {
            return "replication-failed";
        }
        if (routeId.startsWith("backup")) {
            return "backup";
        }
        return "operation-failed";
    }

    private static String headerOr(Map<String, Object> headers, String name, String fallback) {
        Object value = headers == null ? null : headers.get(name);
        return value == null || value.toString().isBlank() ? fallback : value.toString();
    }
}
