package com.customercaregpt.backup.wal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A kept physical base backup, read from its facts: where its WAL starts and ends, and when; its tablespaces
 * (oid -> location on the backed-up server).
 */
public record BasePoint(String backupId, int timeline, long startLsn, long endLsn, Instant startTime, Instant endTime,
                        long segmentSize, List<String> tables, Map<String, String> tablespaces) {

    /** The base backup a database record's facts describe; empty for a pg_dump. */
    @SuppressWarnings("unchecked")
    public static Optional<BasePoint> of(String backupId, Map<String, Object> facts) {
        if (facts == null || !BaseBackup.PHYSICAL.equals(facts.get("backup_kind"))) {
            return Optional.empty();
        }
        return Optional.of(new BasePoint(backupId, ((Number) facts.get("timeline")).intValue(),
                Lsn.parse((String) facts.get("start_lsn")), Lsn.parse((String) facts.get("end_lsn")),
                Instant.parse((String) facts.get("start_time")), Instant.parse((String) facts.get("end_time")),
                ((Number) facts.getOrDefault("wal_segment_size", Lsn.DEFAULT_SEGMENT_SIZE)).longValue(),
                (List<String>) facts.getOrDefault("tables", List.of()),
                new TreeMap<>((Map<String, String>) facts.getOrDefault("tablespaces", Map.of()))));
    }

    /** The first segment a recovery past this backup's end reads from the archive. */
    public String endSegment() {
        return Lsn.segmentOf(timeline, endLsn, segmentSize);
    }

    public String startSegment() {
        return Lsn.segmentOf(timeline, startLsn, segmentSize);
    }
}
