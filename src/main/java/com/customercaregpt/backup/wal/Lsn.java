package com.customercaregpt.backup.wal;

/**
 * WAL positions and segment file names as PostgreSQL writes them: an LSN is "X/Y" (high and low
 * 32 bits, hex); a segment is named by its timeline, then the segment number split in two 8-digit
 * hex halves ({@code 000000010000000000000003}).
 */
public final class Lsn {

    public static final long DEFAULT_SEGMENT_SIZE = 16L << 20;
    private static final long XLOG_ID_SPAN = 0x1_0000_0000L;

    private Lsn() {
    }

    public static long parse(String lsn) {
        int slash = lsn.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not an LSN: " + lsn);
        }
        return (Long.parseLong(lsn.substring(0, slash), 16) << 32) | Long.parseLong(lsn.substring(slash + 1), 16);
    }

    public static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    /** True for a WAL segment's file name (24 hex digits), not a .partial, .history or .backup file. */
    public static boolean isSegmentName(String name) {
        return name.length() == 24 && name.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    /** True for a timeline history file name ({@code 00000002.history}). */
    public static boolean isHistoryName(String name) {
        return name.length() == 16 && name.endsWith(".history") && isHex(name.substring(0, 8));
    }

    private static boolean isHex(String s) {
        return s.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    public static String segmentName(int timeline, long segmentNumber, long segmentSize) {
        long perId = XLOG_ID_SPAN / segmentSize;
        return String.format("%08X%08X%08X", timeline, segmentNumber / perId, segmentNumber % perId);
    }

    /** The segment holding {@code lsn}. */
    public static String segmentOf(int timeline, long lsn, long segmentSize) {
        return segmentName(timeline, lsn / segmentSize, segmentSize);
    }

    public static int timelineOf(String fileName) {
        return Integer.parseInt(fileName.substring(0, 8), 16);
    }

    /** The segment's number along the WAL (the timeline left out). */
    public static long numberOf(String segment, long segmentSize) {
        long perId = XLOG_ID_SPAN / segmentSize;
        return Long.parseLong(segment.substring(8, 16), 16) * perId + Long.parseLong(segment.substring(16, 24), 16);
    }

    public static String timelineFolder(int timeline) {
        return String.format("%08X", timeline);
    }
}
