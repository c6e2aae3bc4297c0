package com.customercaregpt.backup.component;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which config values are secrets: keys matching one of the {@code backup.config.redact-keys}
 * patterns, URL passwords ({@code scheme://user:secret@host}) and URL query parameters whose name
 * matches a pattern ({@code ?token=...}).
 */
final class Redaction {

    private static final String REDACTED = ConfigComponent.REDACTED;
    /** The default of backup.config.redact-keys (application.properties documents the same list). */
    static final String DEFAULT_KEYS = "*password*,*passwd*,*pwd*,*pass,*passphrase*,*secret*,*token*,*key*,"
            + "*credential*,*auth*,*signature*,sig,*webhook*";
    /** scheme://userinfo@: the userinfo runs to the last '@' before the path, so an unencoded '@' in a password is covered. */
    private static final Pattern URL_USERINFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)([^\\s/?#@]*):([^\\s/?#]*)@");
    /** ?name=value or &name=value (also ';'), as in URLs and query strings. */
    private static final Pattern QUERY_PARAMETER = Pattern.compile("([?&;])([^=&;#\\s?]+)=([^&;#\\s\"']*)");

    private final List<Pattern> keyPatterns;

    /** @param globs case-insensitive glob patterns ({@code *} any run of characters, {@code ?} one) */
    Redaction(List<String> globs) {
        this.keyPatterns = globs.stream().map(Redaction::globToRegex).toList();
    }

    /** Whether a key is secret: its whole name or its last dotted segment matches a pattern. */
    boolean isSecretKey(String key) {
        String name = key.strip();
        String last = name.substring(name.lastIndexOf('.') + 1);
        return keyPatterns.stream().anyMatch(p -> p.matcher(name).matches() || p.matcher(last).matches());
    }

    /** The value with URL passwords and secret query parameters replaced; the same string when it holds none. */
    String redactUrls(String value) {
        String withoutPasswords = URL_USERINFO.matcher(value)
                .replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + ":" + REDACTED + "@"));
        Matcher query = QUERY_PARAMETER.matcher(withoutPasswords);
        StringBuilder out = new StringBuilder();
        while (query.find()) {
            String replacement = isSecretKey(query.group(2)) && !query.group(3).isEmpty()
                    ? query.group(1) + query.group(2) + "=" + REDACTED : query.group();
            query.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        query.appendTail(out);
        return out.toString();
    }

    private static Pattern globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.strip().toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }
}
