package com.customercaregpt.backup.repository.s3;

import com.customercaregpt.backup.repository.LockClaims;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The repository lock in the bucket, for hosts that share it: a claim object
 * {@code <prefix>/locks/<token>.json} (operation, host, pid, acquired_at, heartbeat_at).
 *
 * <p>A contender first removes claims whose heartbeat is older than stale-after, gives up if a
 * live one remains, then writes its claim and lists again: it holds the lock only if its claim is
 * the only one there; otherwise it withdraws it and tries later. With a strongly consistent LIST
 * (AWS S3, MinIO, Ceph, s3proxy) two contenders cannot both hold it: the later one's listing shows
 * the earlier claim. Two that claim at the same moment both withdraw.
 */
public final class BucketLock implements com.customercaregpt.backup.repository.SharedLock {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final S3Repository bucket;
    private final Duration staleAfter;

    public BucketLock(S3Repository bucket, Duration staleAfter) {
        this.bucket = bucket;
        this.staleAfter = staleAfter;
    }

    @Override
    public String location() {
        return bucket.location();
    }

    @Override
    public Optional<Held> tryAcquire(String operation, String[] holder) throws IOException {
        String prefix = bucket.locksPrefix();
        for (String key : bucket.keysUnder(prefix, 1000)) {
            Optional<byte[]> claim = bucket.readIfPresent(key, "read lock claim");
            if (claim.isEmpty()) {
                continue;
            }
            JsonNode content = parse(claim.get());
            if (stale(content)) {
                bucket.deleteKey(key, "remove stale lock claim");
            } else {
                holder[0] = describe(content);
                return Optional.empty();
            }
        }
        String token = UUID.randomUUID().toString();
        String key = prefix + token + ".json";
        Map<String, Object> content = LockClaims.newClaim(token, operation);
        bucket.putSmall(key, JSON.writeValueAsBytes(content), "write lock claim");
        if (bucket.onlyKeyTwice(prefix, key)) {
            return Optional.of(new Held(key, content));
        }
        List<String> claims = bucket.keysUnder(prefix, 2);
        bucket.deleteKey(key, "withdraw lock claim");
        holder[0] = "a contender that claimed it at the same moment";
        for (String other : claims) {
            if (!other.equals(key)) {
                Optional<byte[]> claim = bucket.readIfPresent(other, "read lock claim");
                if (claim.isPresent()) {
                    holder[0] = describe(parse(claim.get()));
                }
            }
        }
        return Optional.empty();
    }

    /** A held claim: its heartbeat is rewritten every 10 s; close() removes it. */
    public final class Held extends LockClaims.Lease {
        private final String key;

        private Held(String key, Map<String, Object> content) {
            super(content);
            this.key = key;
        }

        @Override
        protected void renew(byte[] claimJson) throws IOException {
            bucket.putSmall(key, claimJson, "renew lock claim");
        }

        @Override
        protected void remove() throws IOException {
            bucket.deleteKey(key, "release lock claim");
        }
    }

    private static JsonNode parse(byte[] claim) {
        try {
            return JSON.readTree(claim);
        } catch (IOException unreadable) {
            return JSON.createObjectNode(); // half-written: stale below
        }
    }

    private boolean stale(JsonNode claim) {
        return LockClaims.heartbeatStopped(claim, staleAfter);
    }

    private static String describe(JsonNode claim) {
        return LockClaims.describe(claim);
    }
}
