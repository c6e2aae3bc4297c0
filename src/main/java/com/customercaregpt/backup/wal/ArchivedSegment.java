package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.pipeline.crypto.WrappedKey;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;

/**
 * One archived WAL file (a segment or a timeline history), as recorded in its
 * {@code wal/<timeline>/<name>.json} beside the stored bytes: what the archive index is rebuilt from.
 *
 * @param endTime when its last byte was written by the server (the segment's mtime in the spool): the
 *                recoverable window reaches this far once the segment is archived
 */
@JsonPropertyOrder({"name", "timeline", "path", "archivedAt", "endTime", "sizeBytes", "rawSizeBytes", "sha256",
        "compression", "encryption", "dataKey"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ArchivedSegment(String name, int timeline, String path, String archivedAt, String endTime,
                              long sizeBytes, long rawSizeBytes, String sha256, String compression,
                              String encryption, WrappedKey dataKey) {

    public boolean isSegment() {
        return Lsn.isSegmentName(name);
    }

    public Instant endInstant() {
        return Instant.parse(endTime);
    }
}
