package com.customercaregpt.backup.repository.store.retry;

import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.repository.Repository.ArtifactStream;
import com.customercaregpt.backup.repository.store.PermanentStoreException;
import com.customercaregpt.backup.repository.store.SharedLock;
import com.customercaregpt.backup.repository.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The one retry layer: any store, with each call tried again on a transient failure, waiting
 * {@link Policy#firstBackoff()} and then twice as long each time. Not found and permanent failures
 * (see {@link Store}) are never retried, nor is anything once the thread is interrupted. A stream
 * from {@link #create} is written once by its caller and is not retried; {@link #saveFile} is,
 * whole. Locks pass through: a lock attempt that fails is the lock's caller's to judge.
 */
public final class RetryingStore implements Store {

    private static final Logger LOG = LoggerFactory.getLogger(RetryingStore.class);

    /**
     * @param attempts     tries per call, the first included (1: no retry)
     * @param firstBackoff wait before the second try; doubled before each further one
     */
    public record Policy(int attempts, Duration firstBackoff) {
        /** The defaults of application.properties. */
        public static final Policy DEFAULT = new Policy(3, Duration.ofSeconds(1));

        public Policy {
            if (attempts < 1) {
                throw new Settings.SettingsException("backup.s3.retry-attempts must be at least 1, got " + attempts);
            }
            if (firstBackoff.isNegative()) {
                throw new Settings.SettingsException("backup.s3.retry-backoff-seconds must not be negative, got "
                        + firstBackoff.toSeconds());
            }
        }

        /** Reads backup.s3.retry-attempts (0 counts as 1, as it always has) and backup.s3.retry-backoff-seconds. */
        public static Policy from(Settings settings) {
            return new Policy(Math.max(1, settings.getInt("backup.s3.retry-attempts", DEFAULT.attempts())),
                    Duration.ofSeconds(settings.getInt("backup.s3.retry-backoff-seconds",
                            (int) DEFAULT.firstBackoff().toSeconds())));
        }
    }

    /** One store call. */
    private interface Call<T> {
        T run() throws IOException;
    }

    private final Store store;
    private final Policy policy;

    public RetryingStore(Store store, Policy policy) {
        this.store = store;
        this.policy = policy;
    }

    private <T> T retry(String operation, String key, Call<T> call) throws IOException {
        Duration backoff = policy.firstBackoff();
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (NoSuchFileException | PermanentStoreException notRetried) {
                throw notRetried;
            } catch (IOException e) {
                if (attempt >= policy.attempts() || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                LOG.warn("{}: {} failed (attempt {} of {}), trying again in {} ms: {}", store.url(key), operation,
                        attempt, policy.attempts(), backoff.toMillis(), e.getMessage());
                pause(backoff, e);
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    private static void pause(Duration backoff, IOException failure) throws InterruptedIOException {
        try {
            Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException("interrupted before trying again: "
                    + failure.getMessage());
            interrupted.initCause(failure);
            throw interrupted;
        }
    }

    private void retryVoid(String operation, String key, Call<Void> call) throws IOException {
        retry(operation, key, call);
    }

    @Override
    public String location() {
        return store.location();
    }

    @Override
    public String url(String key) {
        return store.url(key);
    }

    @Override
    public Capabilities capabilities() {
        return store.capabilities();
    }

    @Override
    public void save(String key, byte[] content) throws IOException {
        retryVoid("save", key, () -> {
            store.save(key, content);
            return null;
        });
    }

    @Override
    public ArtifactStream create(String key, String sha256) throws IOException {
        return store.create(key, sha256);
    }

    @Override
    public void saveFile(String key, Path file, String sha256) throws IOException {
        retryVoid("upload", key, () -> {
            store.saveFile(key, file, sha256);
            return null;
        });
    }

    @Override
    public InputStream open(String key) throws IOException {
        return retry("open", key, () -> store.open(key));
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        return retry("open", key, () -> store.openRange(key, offset, length));
    }

    @Override
    public Optional<byte[]> read(String key) throws IOException {
        return retry("read", key, () -> store.read(key));
    }

    @Override
    public Optional<Stat> stat(String key) throws IOException {
        return retry("stat", key, () -> store.stat(key));
    }

    @Override
    public List<String> folders(String folder, String nameStart) throws IOException {
        return retry("list", folder, () -> store.folders(folder, nameStart));
    }

    @Override
    public List<String> keys(String prefix, int limit) throws IOException {
        return retry("list", prefix, () -> store.keys(prefix, limit));
    }

    @Override
    public void remove(String key) throws IOException {
        retryVoid("remove", key, () -> {
            store.remove(key);
            return null;
        });
    }

    /** A retry after a lost answer finds the folder taken and says false: the caller moves on to another. */
    @Override
    public boolean reserveFolder(String folder) throws IOException {
        return retry("reserve", folder, () -> store.reserveFolder(folder));
    }

    @Override
    public void removeFolder(String folder) throws IOException {
        retryVoid("remove", folder, () -> {
            store.removeFolder(folder);
            return null;
        });
    }

    @Override
    public SharedLock lock(Duration staleAfter) {
        return store.lock(staleAfter);
    }

    @Override
    public Optional<Path> localFile(String key) {
        return store.localFile(key);
    }

    @Override
    public void close() {
        store.close();
    }
}
