package com.customercaregpt.backup.pipeline.crypto;

import java.io.IOException;

/**
 * An encrypted artifact is not what was written: a chunk failed authentication, chunks are
 * missing or out of order, the artifact was truncated, or data follows its final chunk.
 * {@link #chunkIndex()} and {@link #byteOffset()} locate the problem in the stored file
 * (-1 when it concerns the header).
 */
public final class TamperedArtifactException extends IOException {
    private final long chunkIndex;
    private final long byteOffset;

    TamperedArtifactException(String message, long chunkIndex, long byteOffset) {
        super(message);
        this.chunkIndex = chunkIndex;
        this.byteOffset = byteOffset;
    }

    /** Index of the chunk at fault (0-based), or -1 for the header. */
    public long chunkIndex() {
        return chunkIndex;
    }

    /** Offset in the stored file where that chunk (its length field) or the offending data starts. */
    public long byteOffset() {
        return byteOffset;
    }
}
