package com.customercaregpt.backup.component;

import java.io.BufferedReader;
import java.io.IOException;

/**
 * One line of a sha256sum list, {@code <hex>  <path>}: a path holding a backslash, a newline or a
 * carriage return is escaped ({@code \\}, {@code \n}, {@code \r}) and its line starts with a
 * backslash, as GNU sha256sum writes and reads it. Lists are sorted by the escaped path's bytes.
 */
record SumLine(String hex, String escapedPath) {

    /** The next line of a list, or null at its end. */
    static SumLine next(BufferedReader list) throws IOException {
        String line = list.readLine();
        if (line == null) {
            return null;
        }
        int start = line.startsWith("\\") ? 1 : 0;
        if (line.length() < start + 66 || line.charAt(start + 64) != ' ') {
            throw new IOException("not a sha256sum line: " + line);
        }
        return new SumLine(line.substring(start, start + 64), line.substring(start + 66));
    }

    /** The line as sha256sum writes it, with its newline. */
    String format() {
        boolean escaped = escapedPath.indexOf('\\') >= 0;
        return (escaped ? "\\" : "") + hex + "  " + escapedPath + "\n";
    }

    /** The path as the file system names it. */
    String path() {
        return unescape(escapedPath);
    }

    static String escape(String path) {
        if (path.indexOf('\\') < 0 && path.indexOf('\n') < 0 && path.indexOf('\r') < 0) {
            return path;
        }
        return path.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }

    static String unescape(String escaped) {
        if (escaped.indexOf('\\') < 0) {
            return escaped;
        }
        StringBuilder path = new StringBuilder(escaped.length());
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c == '\\' && i + 1 < escaped.length()) {
                char next = escaped.charAt(++i);
                path.append(next == 'n' ? '\n' : next == 'r' ? '\r' : next);
            } else {
                path.append(c);
            }
        }
        return path.toString();
    }

    /** By code point, which is the order of the UTF-8 bytes sort(1) compares with LC_ALL=C. */
    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
