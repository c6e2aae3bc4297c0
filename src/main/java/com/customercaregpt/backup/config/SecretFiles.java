package com.customercaregpt.backup.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Weak secrets, said out loud: a token or key file that group or others may access, and an API
 * token too short to resist guessing. Every command and `serve` warn once per start, naming the file.
 */
public final class SecretFiles {

    private static final Logger LOG = LoggerFactory.getLogger(SecretFiles.class);
    /** Shorter API tokens are warned about, and refused by `serve` unless backup.api.allow-weak-token=true. */
    public static final int MIN_TOKEN_LENGTH = 16;

    private SecretFiles() {
    }

    /** Logs each weakness of the configured secrets once, as a warning. */
    public static void warnAbout(Settings settings) {
        weaknesses(settings).forEach(LOG::warn);
    }

    static List<String> weaknesses(Settings settings) {
        List<String> found = new ArrayList<>();
        String keyFile = settings.get("backup.encryption.key-file", "");
        if (!keyFile.isBlank()) {
            tooOpen(Path.of(keyFile), "key file", "the key").ifPresent(found::add);
        }
        String tokenFile = settings.get("backup.api.token-file", "");
        if (!tokenFile.isBlank()) {
            tooOpen(Path.of(tokenFile), "token file", "the API token").ifPresent(found::add);
        }
        tokenTooShort(settings).ifPresent(found::add);
        managementTokenTooShort(settings).ifPresent(found::add);
        return found;
    }

    /** "the API token (from FILE or KEY) is N characters...", when it is shorter than {@link #MIN_TOKEN_LENGTH}. */
    public static Optional<String> tokenTooShort(Settings settings) {
        String token = settings.get("backup.api.token", "");
        String from = "backup.api.token";
        String file = settings.get("backup.api.token-file", "");
        if (token.isBlank() && !file.isBlank()) {
            from = "token file " + file;
            try {
                token = Files.readString(Path.of(file), StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            } catch (IOException e) {
                return Optional.empty(); // unreadable: the service says so when it needs the token
            }
        }
        return tooShort("the API token (" + from + ")", token);
    }

    /** "the management token (backup.management.token) has N characters...", when it is set and too short. */
    public static Optional<String> managementTokenTooShort(Settings settings) {
        return tooShort("the management token (backup.management.token)",
                settings.get("backup.management.token", "").strip());
    }

    private static Optional<String> tooShort(String what, String token) {
        if (token.isBlank() || token.length() >= MIN_TOKEN_LENGTH) {
            return Optional.empty();
        }
        return Optional.of(what + " has " + token.length() + " characters: use at least "
                + MIN_TOKEN_LENGTH + ", e.g. head -c 32 /dev/urandom | base64");
    }

    /** A one-line warning when group or others have any permission on {@code path}, else empty. */
    public static Optional<String> tooOpen(Path path, String what, String secret) {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(path);
        } catch (UnsupportedOperationException | IOException e) {
            return Optional.empty(); // missing (reported where it is read) or no POSIX permissions to judge
        }
        Set<PosixFilePermission> open = EnumSet.copyOf(permissions);
        open.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        if (open.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(what + " " + path + " has mode " + octal(permissions) + ": group or others can read or replace "
                + secret + "; run chmod 600 " + path);
    }

    private static String octal(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= 1 << (8 - p.ordinal()); // OWNER_READ is ordinal 0 = bit 8 (0400) ... OTHERS_EXECUTE = bit 0
        }
        return Integer.toOctalString(mode);
    }
}
