package com.customercaregpt.backup.repository.store.retry;

import com.customercaregpt.backup.repository.store.PermanentStoreException;
import com.customercaregpt.backup.repository.store.Store;
import com.customercaregpt.backup.repository.store.local.LocalStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The retry layer around a real local store whose calls fail a given number of times first: what
 * is transient is tried again up to the configured attempts, what is not found or permanent never.
 */
class RetryingStoreTest {

    private static final RetryingStore.Policy THREE_QUICK = new RetryingStore.Policy(3, Duration.ZERO);

    @TempDir
    Path folder;

    /** Calls of {@code method} reaching the real store, in order; failed ones are recorded too. */
    private final List<String> calls = new ArrayList<>();

    /** A local store whose first {@code failures} calls of {@code method} throw what {@code failure} makes. */
    private Store failing(String method, int failures, Supplier<IOException> failure) {
        Store real = new LocalStore(folder);
        int[] left = {failures};
        return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class},
                (proxy, called, arguments) -> {
                    if (called.getName().equals(method)) {
                        calls.add(method);
                        if (left[0]-- > 0) {
                            throw failure.get();
                        }
                    }
                    try {
                        return called.invoke(real, arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aSaveThatFailsTwiceIsStoredOnTheThirdAttempt() throws Exception {
        Store store = new RetryingStore(failing("save", 2, () -> new IOException("connection reset")), THREE_QUICK);
        store.save("backups/b/manifest.json", "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals(3, calls.size());
        assertArrayEquals("{}".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(folder.resolve("backups/b/manifest.json")));
    }

    @Test
    void aCallThatFailsEveryAttemptFailsWithTheLastCause() {
        Store store = new RetryingStore(failing("keys", 5, () -> new IOException("HTTP 500")), THREE_QUICK);
        IOException failed = assertThrows(IOException.class, () -> store.keys("backups/", 10));
        assertEquals("HTTP 500", failed.getMessage());
        assertEquals(3, calls.size(), "three attempts, no more");
    }

    @Test
    void aPermanentFailureIsNotRetried() {
        PermanentStoreException refused = new PermanentStoreException("SignatureDoesNotMatch (HTTP 403)");
        Store store = new RetryingStore(failing("save", 1, () -> refused), THREE_QUICK);
        assertSame(refused, assertThrows(PermanentStoreException.class, () -> store.save("backups/b/x.json", new byte[1])));
        assertEquals(1, calls.size());
        assertFalse(Files.exists(folder.resolve("backups/b/x.json")));
    }

    @Test
    void aMissingObjectIsNotRetried() {
        Store store = new RetryingStore(failing("open", 0, () -> new IOException("unused")), THREE_QUICK);
        assertThrows(NoSuchFileException.class, () -> store.open("backups/b/missing.bin"));
        assertEquals(1, calls.size());
    }

    @Test
    void aFileWhoseChecksumDiffersIsRefusedOnceAndNotStored() throws Exception {
        Path file = Files.writeString(folder.resolve("artifact.bin"), "bytes");
        Store store = new RetryingStore(failing("saveFile", 0, () -> new IOException("unused")), THREE_QUICK);
        PermanentStoreException refused = assertThrows(PermanentStoreException.class,
                () -> store.saveFile("backups/b/artifact.bin", file, "0".repeat(64)));
        assertEquals(1, calls.size());
        assertFalse(Files.exists(folder.resolve("backups/b/artifact.bin")), refused.getMessage());
    }

    @Test
    void anUploadCutOffOnceIsSentWholeAgain() throws Exception {
        Path file = Files.writeString(folder.resolve("artifact.bin"), "bytes");
        String sha256 = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest("bytes".getBytes(StandardCharsets.UTF_8)));
        Store store = new RetryingStore(failing("saveFile", 1, () -> new IOException("broken pipe")), THREE_QUICK);
        store.saveFile("backups/b/artifact.bin", file, sha256);
        assertEquals(2, calls.size());
        assertEquals("bytes", Files.readString(folder.resolve("backups/b/artifact.bin")));
    }
}
