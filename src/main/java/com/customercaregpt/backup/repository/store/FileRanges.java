package com.customercaregpt.backup.repository.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** A byte range of a file as a stream, for range reads and for parts sent straight from a file. */
public final class FileRanges {

    private FileRanges() {
    }

    /** {@code length} bytes of {@code file} from {@code offset} (fewer where the file ends sooner). */
    public static InputStream open(Path file, long offset, long length) throws IOException {
        FileChannel channel = FileChannel.open(file).position(offset);
        return limited(Channels.newInputStream(channel), length);
    }

    /** At most {@code length} bytes of {@code in}. */
    private static InputStream limited(InputStream in, long length) {
        return new FilterInputStream(in) {
            private long left = length;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = super.read();
                if (b >= 0) {
                    left--;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }
        };
    }
}
