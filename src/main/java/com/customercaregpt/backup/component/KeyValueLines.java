package com.customercaregpt.backup.component;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Properties;

/**
 * A .properties or .env file as logical lines: a value continued with a trailing '\' (properties)
 * or a quoted value spanning lines (.env) is one entry, so its continuation lines are never
 * mistaken for lines of their own. Joining every {@link Line#text()} with '\n' gives the file back.
 */
final class KeyValueLines {

    /** [export ]KEY=VALUE or KEY: VALUE, as in .env files. */
    private static final Pattern ENV_ASSIGNMENT =
            Pattern.compile("^(\\s*(?:export\\s+)?)([^=:#!\\s][^=:]*?)(\\s*[=:]\\s*)(.*)$", Pattern.DOTALL);
    /** KEY=VALUE, KEY: VALUE or KEY VALUE, as Properties reads them ('\' escapes a separator in the key). */
    private static final Pattern PROPERTIES_ASSIGNMENT =
            Pattern.compile("^(\\s*)((?:\\\\.|[^=:\\s\\\\])+)(\\s*[=:]\\s*|\\s+)(.*)$", Pattern.DOTALL);

    /**
     * One logical line. For an assignment, {@code text} is {@code lead + key + separator + rawValue};
     * {@code value} is the value as a reader sees it (continuations joined, quotes removed).
     * Other lines (comments, blank) have a null key.
     */
    record Line(String text, String lead, String key, String separator, String rawValue, String value) {
        boolean isAssignment() {
            return key != null;
        }

        /** The same key with another raw value. */
        String withRawValue(String newRawValue) {
            return lead + key + separator + newRawValue;
        }
    }

    private KeyValueLines() {
    }

    static List<Line> parse(String text, boolean properties) {
        String[] physical = text.split("\n", -1);
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < physical.length; i++) {
            String first = physical[i];
            String trimmed = first.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("!")) {
                lines.add(new Line(first, null, null, null, null, null));
                continue;
            }
            StringBuilder raw = new StringBuilder(first);
            // what a reader sees: properties continuations joined (leading blanks dropped), .env quotes spanning lines kept
            StringBuilder logical = new StringBuilder();
            if (properties) {
                String current = first;
                while (continues(current) && i + 1 < physical.length) {
                    logical.append(current, 0, current.length() - 1);
                    current = physical[++i];
                    raw.append('\n').append(current);
                    current = current.stripLeading();
                }
                logical.append(current);
            } else {
                char quote = openingQuote(first);
                while (quote != 0 && !closes(raw, quote) && i + 1 < physical.length) {
                    raw.append('\n').append(physical[++i]);
                }
                logical.append(raw);
            }
            Matcher m = (properties ? PROPERTIES_ASSIGNMENT : ENV_ASSIGNMENT).matcher(logical);
            if (!m.matches()) {
                lines.add(new Line(raw.toString(), null, null, null, null, null));
                continue;
            }
            int prefix = m.group(1).length() + m.group(2).length() + m.group(3).length();
            lines.add(new Line(raw.toString(), m.group(1), m.group(2), m.group(3), raw.substring(prefix),
                    unquote(m.group(4).strip())));
        }
        return lines;
    }

    /** Key to raw value of every assignment (the last one wins, as readers of these files do). */
    static Map<String, String> rawValues(String text, boolean properties) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Line line : parse(text, properties)) {
            if (line.isAssignment()) {
                values.put(line.key().strip(), line.rawValue());
            }
        }
        return values;
    }

    /** A properties line continues when it ends with an odd number of backslashes. */
    private static boolean continues(String line) {
        int backslashes = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    /** The quote a .env value opens with ('"' or '\''), or 0. */
    private static char openingQuote(String line) {
        Matcher m = ENV_ASSIGNMENT.matcher(line);
        if (!m.matches() || m.group(4).isEmpty()) {
            return 0;
        }
        char c = m.group(4).charAt(0);
        return c == '"' || c == '\'' ? c : 0;
    }

    /** Whether the quoted value that starts in {@code raw} has its closing quote (an escaped '\"' does not close). */
    private static boolean closes(CharSequence raw, char quote) {
        Matcher m = ENV_ASSIGNMENT.matcher(raw);
        if (!m.matches()) {
            return true;
        }
        String value = m.group(4);
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && quote == '"') {
                i++;
            } else if (c == quote) {
                return true;
            }
        }
        return false;
    }

    static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
