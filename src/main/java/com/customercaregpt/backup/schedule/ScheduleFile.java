package com.customercaregpt.backup.schedule;

import com.customercaregpt.backup.config.Settings.SettingsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.quartz.CronExpression;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.text.ParseException;

/**
 * Reads the schedules file (backup.schedules.file): a Camel YAML route file whose
 * {@code templatedRoute} entries use the {@code schedule} template of routes/scheduling.camel.yaml.
 * Everything is checked before Camel starts, and a bad entry is one line naming the file, the
 * schedule and the problem: {@code <file>: schedule '<id>': invalid cron '<expr>': <reason>}.
 */
public final class ScheduleFile {

    public static final String TEMPLATE = "schedule";
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Set<String> PARAMETERS = Set.of("id", "cron", "action", "type", "components",
            "retention-days", "enabled");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ScheduleFile() {
    }

    /** The schedules of {@code file}, in file order; a {@link SettingsException} at the first bad one. */
    public static List<Schedule> load(Path file, List<String> knownComponents) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new SettingsException(file + ": cannot read the schedules file: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        List<Schedule> schedules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        if (root == null || root.isNull() || root.isMissingNode()) {
            return schedules;
        }
        if (!root.isArray()) {
            throw new SettingsException(file + ": not a list of route entries");
        }
        int position = 0;
        for (JsonNode entry : root) {
            position++;
            JsonNode templated = entry.get("templatedRoute");
            if (templated == null) {
                continue; // an ordinary route: Camel checks it
            }
            if (!TEMPLATE.equals(templated.path("routeTemplateRef").asText())) {
                continue; // another template's route
            }
            Map<String, String> parameters = parameters(file, position, templated);
            String id = parameters.get("id");
            if (id == null || id.isBlank()) {
                throw new SettingsException(file + ": templatedRoute #" + position + ": missing parameter 'id'");
            }
            Schedule schedule = check(file, id, parameters, knownComponents);
            if (templated.path("routeId").asText().isBlank()) {
                throw new SettingsException(file + ": schedule '" + id + "': missing routeId (use schedule-" + id + ")");
            }
            if (!ids.add(id)) {
                throw new SettingsException(file + ": schedule '" + id + "': the id is used twice");
            }
            schedules.add(schedule);
        }
        return schedules;
    }

    /** backup.schedule.time-zone, checked. */
    public static ZoneId timeZone(String value) {
        try {
            return ZoneId.of(value);
        } catch (DateTimeException e) {
            throw new SettingsException("backup.schedule.time-zone: unknown time zone '" + value + "'");
        }
    }

    private static Map<String, String> parameters(Path file, int position, JsonNode templated) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (JsonNode p : templated.path("parameters")) {
            String name = p.path("name").asText();
            parameters.put(name, p.path("value").isNull() ? null : p.path("value").asText());
        }
        for (String name : parameters.keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw new SettingsException(file + ": schedule '" + parameters.getOrDefault("id", "#" + position)
                        + "': unknown parameter '" + name + "' (known: " + String.join(", ", PARAMETERS.stream().sorted().toList()) + ")");
            }
        }
        return parameters;
    }

    private static Schedule check(Path file, String id, Map<String, String> p, List<String> known) {
        String where = file + ": schedule '" + id + "': ";
        if (!ID.matcher(id).matches()) {
            throw new SettingsException(where + "the id must be lower-case letters, digits and dashes");
        }
        String cron = p.get("cron");
        if (cron == null || cron.isBlank()) {
            throw new SettingsException(where + "missing parameter 'cron'");
        }
        try {
            new CronExpression(cron);
        } catch (ParseException e) {
            throw new SettingsException(where + "invalid cron '" + cron + "': " + e.getMessage());
        }
        String action = p.get("action");
        if (!Schedule.ACTIONS.contains(action)) {
            throw new SettingsException(where + "unknown action '" + action + "' (known: "
                    + String.join(", ", Schedule.ACTIONS) + ")");
        }
        String type = p.getOrDefault("type", "full");
        if (!BackupTypes.SCHEDULABLE.contains(type)) {
            throw new SettingsException(where + "unknown type '" + type + "' (known: "
                    + String.join(", ", BackupTypes.SCHEDULABLE) + ")");
        }
        List<String> components = components(where, p.getOrDefault("components", "all"), known);
        Integer retention = retentionDays(where, p.getOrDefault("retention-days", "default"));
        String enabled = p.getOrDefault("enabled", "true");
        if (!"true".equals(enabled) && !"false".equals(enabled)) {
            throw new SettingsException(where + "enabled must be true or false, got '" + enabled + "'");
        }
        return new Schedule(id, cron, action, type, components, retention, Boolean.parseBoolean(enabled));
    }

    /** "all", or a comma list of component names; the empty list means all of them. */
    static List<String> components(String where, String value, List<String> known) {
        if (value == null || value.isBlank() || "all".equals(value.trim())) {
            return List.of();
        }
        List<String> names = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String name : names) {
            if (!known.contains(name)) {
                throw new SettingsException(where + "unknown component '" + name + "' (known: all, "
                        + String.join(", ", known) + ")");
            }
        }
        return names;
    }

    private static Integer retentionDays(String where, String value) {
        if (value == null || value.isBlank() || "default".equals(value.trim())) {
            return null;
        }
        try {
            int days = Integer.parseInt(value.trim());
            if (days > 0) {
                return days;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SettingsException(where + "retention-days must be a whole number of days above 0 or 'default', got '"
                + value + "'");
    }
}
