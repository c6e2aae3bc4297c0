package com.customercaregpt.backup.component;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads GNU tar's {@code --listed-incremental} snapshot file (format 2): a header line, then per
 * folder NUL-terminated fields (nfs, mtime seconds and nanoseconds, device, inode, name) and its
 * listing, one NUL-terminated entry per name whose first byte says 'Y' (in this archive), 'N'
 * (not: unchanged) or 'D' (a folder), ended by an empty entry; one more NUL ends the record.
 */
final class TarSnapshot {

    /** Receives one name. */
    interface NameSink {
        void accept(String name) throws IOException;
    }

    private TarSnapshot() {
    }

    /** Every name the snapshot marks unchanged ('N'), as "folder/name" with the folder as tar named it ("./a"). */
    static void unchangedFiles(Path snapshot, NameSink sink) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(snapshot), 1 << 16)) {
            String header = field(in, '\n');
            if (header == null || !header.startsWith("GNU tar-") || !header.endsWith("-2")) {
                throw new IOException(snapshot + " is not a GNU tar snapshot file of format 2");
            }
            field(in, '\0'); // the archive's time: seconds
            field(in, '\0'); // and nanoseconds
            while (field(in, '\0') != null) { // nfs flag, or the end of the file
                for (int i = 0; i < 4; i++) {
                    field(in, '\0'); // mtime seconds, nanoseconds, device, inode
                }
                String folder = field(in, '\0');
                for (String entry = field(in, '\0'); entry != null && !entry.isEmpty(); entry = field(in, '\0')) {
                    if (entry.charAt(0) == 'N') {
                        sink.accept(folder + "/" + entry.substring(1));
                    }
                }
                field(in, '\0'); // the record's end
            }
        }
    }

    /** The bytes up to {@code end} (UTF-8), or null at the end of the file. */
    private static String field(InputStream in, char end) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != end) {
            if (b < 0) {
                return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.UTF_8);
            }
            bytes.write(b);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
