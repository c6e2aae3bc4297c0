package com.customercaregpt.backup.alert;

import java.util.LinkedHashMap;
import java.util.Map;

/** One alert as people receive it: what happened, where, since when, why, and where to look further. */
public record Alert(String kind, String severity, String component, String subjectId, String since, String cause,
                    String lookFurther, boolean resolved) {

    /** What repeats of this alert share: its kind and what it is about (component, else the whole repository). */
    public String key() {
        return key(kind, component);
    }

    /** The key of the alerts of this kind about this component (null: the whole repository). */
    public static String key(String kind, String component) {
        return kind + "|" + (component == null ? "" : component);
    }

    /** The same alert, now cleared. */
    public Alert asResolved(String why, String subject, String look) {
        return new Alert(kind, "info", component, subject, since, why, look, true);
    }

    /** The one line for the log and a message subject. */
    public String line() {
        return (resolved ? "RESOLVED " : "") + kind + (component == null ? "" : " [" + component + "]")
                + (subjectId == null ? "" : " " + subjectId) + ": " + cause;
    }

    /** The log's line: the cause first (as callers wrote it), then what it is about and where to look. */
    public String logLine() {
        return (resolved ? "RESOLVED " : "") + cause + " [" + kind + (component == null ? "" : " " + component)
                + (subjectId == null ? "" : " " + subjectId) + (lookFurther == null ? "" : "; " + lookFurther) + "]";
    }

    /** Every field by name, in a fixed order, for the webhook and the email. */
    public Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("kind", kind);
        fields.put("severity", severity);
        fields.put("status", resolved ? "resolved" : "firing");
        if (component != null) {
            fields.put("component", component);
        }
        if (subjectId != null) {
            fields.put("id", subjectId);
        }
        fields.put("since", since);
        fields.put("cause", cause);
        if (lookFurther != null) {
            fields.put("look further", lookFurther);
        }
        return fields;
    }

    /** The email body: one field a line. */
    public String text() {
        StringBuilder text = new StringBuilder();
        fields().forEach((name, value) -> text.append(name).append(": ").append(value).append('\n'));
        return text.toString();
    }
}
