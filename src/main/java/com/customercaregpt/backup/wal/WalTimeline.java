package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.backup.UsageError;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The WAL archive read against the kept base backups: the recoverable window, the missing segments (gaps),
 * and which base backup and segments a recovery to a point in time needs.
 */
public final class WalTimeline {

    /** What a recovery to {@code target} (null: the base backup's own end) needs. */
    public record RecoveryPlan(BasePoint base, Instant target, List<ArchivedSegment> segments,
                               List<ArchivedSegment> histories) {
    }

    private final List<ArchivedSegment> archive;
    private final List<BasePoint> bases;

    public WalTimeline(List<ArchivedSegment> archive, List<BasePoint> bases) {
        this.archive = archive;
        this.bases = bases.stream().sorted(Comparator.comparing(BasePoint::endTime)).toList();
    }

    public List<BasePoint> bases() {
        return bases;
    }

    public Optional<ArchivedSegment> newestSegment() {
        return archive.stream().filter(ArchivedSegment::isSegment).reduce((a, b) -> b);
    }

    public Optional<ArchivedSegment> oldestSegment() {
        return archive.stream().filter(ArchivedSegment::isSegment).findFirst();
    }

    /** From the oldest base backup's end to the newest archived segment; empty without a base backup. */
    public Optional<Instant[]> window() {
        if (bases.isEmpty()) {
            return Optional.empty();
        }
        Instant end = newestSegment().map(ArchivedSegment::endInstant).filter(t -> t.isAfter(bases.get(0).endTime()))
                .orElse(bases.get(0).endTime());
        return Optional.of(new Instant[]{bases.get(0).endTime(), end});
    }

    /** "2026-12-06T10:00:00Z .. 2026-12-06T11:00:00Z", or why there is none. */
    public String windowText() {
        return window().map(w -> w[0] + " .. " + w[1]).orElse("none (no physical base backup is kept)");
    }

    /**
     * Segments missing on each timeline, from the oldest kept base backup's end (on its timeline) or the
     * timeline's first archived segment, to the timeline's newest archived segment.
     */
    public List<String> gaps() {
        Map<Integer, List<ArchivedSegment>> byTimeline = new HashMap<>();
        archive.stream().filter(ArchivedSegment::isSegment)
                .forEach(s -> byTimeline.computeIfAbsent(s.timeline(), t -> new ArrayList<>()).add(s));
        List<String> missing = new ArrayList<>();
        for (Map.Entry<Integer, List<ArchivedSegment>> entry : new java.util.TreeMap<>(byTimeline).entrySet()) {
            int timeline = entry.getKey();
            long size = segmentSize(entry.getValue().get(0));
            List<Long> numbers = entry.getValue().stream().map(s -> Lsn.numberOf(s.name(), size)).sorted().toList();
            long first = numbers.get(0);
            Optional<BasePoint> oldest = bases.stream().filter(b -> b.timeline() == timeline).findFirst();
            if (oldest.isPresent()) {
                first = Math.min(first, Lsn.numberOf(oldest.get().endSegment(), size));
            }
            java.util.Set<Long> present = new java.util.HashSet<>(numbers);
            for (long n = first; n <= numbers.get(numbers.size() - 1); n++) {
                if (!present.contains(n)) {
                    missing.add(Lsn.segmentName(timeline, n, size));
                }
            }
        }
        return missing;
    }

    /** The newest base backup that ended before {@code target}, and the segments that reach it. */
    public RecoveryPlan plan(Instant target) {
        BasePoint base = null;
        for (BasePoint b : bases) {
            if (b.endTime().isBefore(target)) {
                base = b;
            }
        }
        if (base == null) {
            throw new UsageError(target + " is outside the recoverable window " + windowText());
        }
        return planFrom(base, target);
    }

    /** The segments from {@code base}'s end to {@code target} (none for null: the backup's own end point). */
    public RecoveryPlan planFrom(BasePoint base, Instant target) {
        List<ArchivedSegment> histories = archive.stream().filter(s -> !s.isSegment()).toList();
        if (target == null) {
            return new RecoveryPlan(base, null, List.of(), histories);
        }
        if (!base.endTime().isBefore(target)) {
            throw new UsageError("backup " + base.backupId() + " ended at " + base.endTime() + ", after "
                    + target + "; choose a later time or an older base backup");
        }
        Map<Long, ArchivedSegment> onTimeline = new HashMap<>();
        archive.stream().filter(s -> s.isSegment() && s.timeline() == base.timeline())
                .forEach(s -> onTimeline.put(Lsn.numberOf(s.name(), base.segmentSize()), s));
        Optional<ArchivedSegment> newest = onTimeline.values().stream().max(Comparator.comparing(ArchivedSegment::name));
        if (newest.isEmpty() || newest.get().endInstant().isBefore(target)) {
            throw new UsageError(target + " is outside the recoverable window " + windowText());
        }
        List<ArchivedSegment> needed = new ArrayList<>();
        for (long n = Lsn.numberOf(base.endSegment(), base.segmentSize()); ; n++) {
            ArchivedSegment segment = onTimeline.get(n);
            if (segment == null) {
                throw new UsageError("WAL segment " + Lsn.segmentName(base.timeline(), n, base.segmentSize())
                        + " is missing from the archive; recovering from backup " + base.backupId() + " to " + target
                        + " needs it");
            }
            needed.add(segment);
            if (!segment.endInstant().isBefore(target)) {
                return new RecoveryPlan(base, target, needed, histories);
            }
        }
    }

    private static long segmentSize(ArchivedSegment segment) {
        return segment.rawSizeBytes() > 0 ? segment.rawSizeBytes() : Lsn.DEFAULT_SEGMENT_SIZE;
    }
}
