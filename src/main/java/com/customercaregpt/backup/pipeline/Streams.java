package com.customercaregpt.backup.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Stream copies in large blocks: InputStream.transferTo's 8 KiB means a pipe write and a JNI decompress call per 8 KiB. */
public final class Streams {
    private static final int BLOCK = 256 * 1024;

    private Streams() {
    }

    /** Copies everything from {@code in} to {@code out}; returns the byte count. */
    public static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] block = new byte[BLOCK];
        long total = 0;
        int n;
        while ((n = in.read(block)) >= 0) {
            out.write(block, 0, n);
            total += n;
        }
        return total;
    }
}
