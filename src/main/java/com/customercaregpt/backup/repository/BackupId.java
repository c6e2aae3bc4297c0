package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.backup.UsageError;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;
import java.time.LocalDateTime;

/**
 * A backup's name: {@code backup_YYYYMMDD_HHMMSS} in UTC, with {@code _N} when that second is
 * taken. Anything else is refused before it can become a path.
 */
public record BackupId(String value) implements Comparable<BackupId> {

    private static final Pattern FORMAT = Pattern.compile("backup_\\d{8}_\\d{6}(_\\d{1,4})?");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);

    public BackupId {
        if (value == null || !FORMAT.matcher(value).matches()) {
            throw new UsageError("not a backup id: '" + value + "' (expected backup_YYYYMMDD_HHMMSS)");
        }
    }

    public static boolean isValid(String value) {
        return value != null && FORMAT.matcher(value).matches();
    }

    /** The id for a backup started at {@code time}; {@code attempt} > 0 adds the suffix. */
    public static BackupId at(Instant time, int attempt) {
        String base = "backup_" + STAMP.format(time);
        return new BackupId(attempt == 0 ? base : base + "_" + attempt);
    }

    /** Time order, then suffix as a number (so _2 comes before _10). */
    @Override
    public int compareTo(BackupId other) {
        int byTime = value.substring(0, 22).compareTo(other.value.substring(0, 22));
        return byTime != 0 ? byTime : Integer.compare(suffix(), other.suffix());
    }

    /** When this backup started: the id encodes it, to the second. */
    public Instant startedAt() {
        return LocalDateTime.parse(value.substring(7, 22), STAMP.withZone(null)).toInstant(ZoneOffset.UTC);
    }

    private int suffix() {
        return value.length() > 22 ? Integer.parseInt(value.substring(23)) : 0;
    }

    @Override
    public String toString() {
        return value;
    }
}
