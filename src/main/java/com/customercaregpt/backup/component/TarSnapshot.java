package com.customercaregpt.backup.component;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

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

    /**
     * Rewrites a parent's snapshot so that tar tells {@code root}'s folders apart by name only. tar
     * knows a folder by its device and inode: a folder whose inode once belonged to another name
     * reads to it as that folder renamed, which happens whenever folders are deleted and created
     * (inodes are reused) and always in a fresh copy. A permutation of such renames across nested
     * folders cannot be extracted ("Cannot create temporary directory"). Here each recorded folder
     * gets the device and inode its name has now, or an identity no real folder has (device 0)
     * when the name is gone or no longer a folder: a renamed folder is then a deletion plus a new
     * folder, whose files are stored again. Every other byte is kept.
     */
    static void identifyFoldersByName(Path snapshot, Path root) throws IOException {
        Path rewritten = snapshot.resolveSibling(snapshot.getFileName() + ".by-name");
        long unknown = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(snapshot), 1 << 16);
             OutputStream out = new BufferedOutputStream(Files.newOutputStream(rewritten), 1 << 16)) {
            byte[] header = bytes(in, '\n');
            if (header == null || !new String(header, StandardCharsets.UTF_8).matches("GNU tar-.*-2")) {
                throw new IOException(snapshot + " is not a GNU tar snapshot file of format 2");
            }
            write(out, header, '\n');
            write(out, bytes(in, '\0'), '\0'); // the archive's time: seconds
            write(out, bytes(in, '\0'), '\0'); // and nanoseconds
            for (byte[] nfs = bytes(in, '\0'); nfs != null; nfs = bytes(in, '\0')) {
                write(out, nfs, '\0');
                write(out, bytes(in, '\0'), '\0'); // mtime seconds
                write(out, bytes(in, '\0'), '\0'); // and nanoseconds
                bytes(in, '\0'); // device and inode, replaced below
                bytes(in, '\0');
                byte[] name = bytes(in, '\0');
                long[] identity = currentIdentity(root, name);
                if (identity == null) {
                    identity = new long[] {0, -++unknown}; // printed unsigned: the highest inode numbers
                }
                write(out, Long.toString(identity[0]).getBytes(StandardCharsets.US_ASCII), '\0');
                write(out, Long.toUnsignedString(identity[1]).getBytes(StandardCharsets.US_ASCII), '\0');
                write(out, name, '\0');
                byte[] entry;
                do {
                    entry = bytes(in, '\0');
                    write(out, entry == null ? new byte[0] : entry, '\0');
                } while (entry != null && entry.length > 0);
                write(out, new byte[0], '\0'); // the record's end
                bytes(in, '\0');
            }
        }
        Files.move(rewritten, snapshot, StandardCopyOption.REPLACE_EXISTING);
    }

    /** {device, inode} of the folder named {@code name} ("./a/b") under root now; null when there is none. */
    private static long[] currentIdentity(Path root, byte[] name) {
        try {
            Path folder = root.resolve(new String(name, StandardCharsets.UTF_8)).normalize();
            if (!folder.startsWith(root) || !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            Map<String, Object> attributes = Files.readAttributes(folder, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
            return new long[] {(Long) attributes.get("dev"), (Long) attributes.get("ino")};
        } catch (IOException | InvalidPathException | UnsupportedOperationException e) {
            return null; // an unreadable or undecodable name: treated as a new folder, stored whole
        }
    }

    private static void write(OutputStream out, byte[] field, char end) throws IOException {
        out.write(field);
        out.write(end);
    }

    /** The raw bytes up to {@code end}, or null at the end of the file. */
    private static byte[] bytes(InputStream in, char end) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != end) {
            if (b < 0) {
                return bytes.size() == 0 ? null : bytes.toByteArray();
            }
            bytes.write(b);
        }
        return bytes.toByteArray();
    }

    /** The bytes up to {@code end} (UTF-8), or null at the end of the file. */
    private static String field(InputStream in, char end) throws IOException {
        byte[] field = bytes(in, end);
        return field == null ? null : new String(field, StandardCharsets.UTF_8);
    }
}
