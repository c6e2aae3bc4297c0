package com.customercaregpt.backup.repository.store.local;

import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.repository.LockClaims;
import com.customercaregpt.backup.repository.Owners;
import com.customercaregpt.backup.repository.store.SharedLock;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The lock of a local store ({@code <root>/lock.json}): it names its holder and keeps a heartbeat;
 * a lock whose holder died (same host, pid gone) or stopped beating is taken over.
 *
 * <p>Creation is atomic: the content is written to a private file that is then hard-linked to
 * lock.json, which fails when a lock exists. A takeover first renames the stale lock away, which
 * only one contender can do.
 */
public final class LockFile implements SharedLock {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Path lockFile;
    private final Duration staleAfter;

    public LockFile(Path root, Duration staleAfter) {
        this.root = root;
        this.lockFile = root.resolve("lock.json");
        this.staleAfter = staleAfter;
    }

    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public Optional<Held> tryAcquire(String operation, String[] holder) throws IOException {
        PrivateFiles.createDirectories(root);
        LockClaims.Takeover takenOver = null;
        while (true) {
            Held held = tryCreate(operation, takenOver);
            if (held != null) {
                return Optional.of(held);
            }
            JsonNode current = readHolder();
            if (current == null) {
                continue; // released meanwhile
            }
            if (!stale(current)) {
                holder[0] = LockClaims.describe(current);
                return Optional.empty();
            }
            if (takeOver(current.path("token").asText())) {
                takenOver = LockClaims.Takeover.of(location(), current);
            }
        }
    }

    /** A held lock file; close() is idempotent and removes it if it is still this one. */
    public final class Held extends LockClaims.Lease {
        private final String token;

        private Held(String token, Map<String, Object> content, LockClaims.Takeover takenOver) {
            super(content, takenOver);
            this.token = token;
        }

        @Override
        protected void renew(byte[] claimJson) throws IOException {
            if (ours()) {
                Path temp = root.resolve(".lock-" + token + ".tmp");
                PrivateFiles.write(temp, claimJson);
                Files.move(temp, lockFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }

        @Override
        protected void remove() throws IOException {
            if (ours()) {
                Files.deleteIfExists(lockFile);
            }
        }

        private boolean ours() {
            try {
                return token.equals(JSON.readTree(Files.readAllBytes(lockFile)).path("token").asText());
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** Who holds the lock now, if a live holder does. */
    public Optional<String> liveHolder() {
        try {
            JsonNode holder = readHolder();
            return holder == null || stale(holder) ? Optional.empty() : Optional.of(LockClaims.describe(holder));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** True when the lock is held, with a fresh heartbeat, by process {@code pid} of {@code host}. */
    public boolean heldLiveBy(String host, long pid) {
        try {
            JsonNode holder = readHolder();
            return holder != null && !stale(holder) && holder.path("host").asText().equals(host)
                    && holder.path("pid").asLong() == pid;
        } catch (IOException e) {
            return false;
        }
    }

    private Held tryCreate(String operation, LockClaims.Takeover takenOver) throws IOException {
        String token = UUID.randomUUID().toString();
        Map<String, Object> content = LockClaims.newClaim(token, operation);
        Path temp = root.resolve(".lock-" + token + ".tmp");
        PrivateFiles.write(temp, JSON.writeValueAsBytes(content));
        try {
            Files.createLink(lockFile, temp);
            return new Held(token, content, takenOver);
        } catch (FileAlreadyExistsException held) {
            return null;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private JsonNode readHolder() throws IOException {
        try {
            return JSON.readTree(Files.readAllBytes(lockFile));
        } catch (NoSuchFileException released) {
            return null;
        } catch (JsonProcessingException unreadable) {
            return JSON.createObjectNode(); // half-written by a dying holder: stale below
        }
    }

    private boolean stale(JsonNode holder) {
        if (holder.path("host").asText().equals(Owners.hostName()) && holder.has("pid")
                && !Owners.isAlive(holder.path("pid").asLong())) {
            return true;
        }
        return LockClaims.heartbeatStopped(holder, staleAfter);
    }

    /**
     * Moves the stale lock away. If what was moved is not the lock judged stale (another contender
     * took over and locked in between), it is linked back at once. True when this call removed the stale lock.
     */
    private boolean takeOver(String staleToken) throws IOException {
        Path moved = root.resolve(".lock-stale-" + UUID.randomUUID());
        try {
            Files.move(lockFile, moved, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException anotherContenderWasFaster) {
            return false;
        }
        JsonNode movedHolder;
        try {
            movedHolder = JSON.readTree(Files.readAllBytes(moved));
        } catch (JsonProcessingException unreadable) {
            movedHolder = JSON.createObjectNode();
        }
        boolean removedStale = movedHolder.path("token").asText().equals(staleToken);
        if (!removedStale) {
            try {
                Files.createLink(lockFile, moved);
            } catch (FileAlreadyExistsException raced) {
                // a third contender locked meanwhile; the fresh holder notices at its next beat
            }
        }
        try (var stale = Files.list(root)) {
            for (Path p : stale.filter(p -> p.getFileName().toString().startsWith(".lock-stale-")).toList()) {
                Files.deleteIfExists(p);
            }
        }
        return removedStale;
    }
}
