package com.customercaregpt.backup.repository.store.s3;

import com.customercaregpt.backup.repository.LockClaims;
import com.customercaregpt.backup.repository.store.SharedLock;
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
public final class BucketLock implements SharedLock {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String LOCKS = "locks/";

    private final S3Store bucket;
    private final Duration staleAfter;

    BucketLock(S3Store bucket, Duration staleAfter) {
        this.bucket = bucket;
        this.staleAfter = staleAfter;
    }

    @Override
    public String location() {
        return bucket.location();
    }

    @Override
    public Optional<Held> tryAcquire(String operation, String[] holder) throws IOException {
        LockClaims.Takeover takenOver = null;
        for (String key : bucket.keys(LOCKS, 1000)) {
            Optional<byte[]> claim = bucket.read(key);
            if (claim.isEmpty()) {
                continue;
            }
            JsonNode content = parse(claim.get());
            if (stale(content)) {
                bucket.remove(key);
                takenOver = LockClaims.Takeover.of(location(), content);
            } else {
                holder[0] = describe(content);
                return Optional.empty();
            }
        }
        String token = UUID.randomUUID().toString();
        String key = LOCKS + token + ".json";
        Map<String, Object> content = LockClaims.newClaim(token, operation);
        bucket.save(key, JSON.writeValueAsBytes(content));
        if (bucket.onlyKeyTwice(LOCKS, key)) {
            return Optional.of(new Held(key, content, takenOver));
        }
        List<String> claims = bucket.keys(LOCKS, 2);
        bucket.remove(key);
        holder[0] = "a contender that claimed it at the same moment";
        for (String other : claims) {
            if (!other.equals(key)) {
                Optional<byte[]> claim = bucket.read(other);
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

        private Held(String key, Map<String, Object> content, LockClaims.Takeover takenOver) {
            super(content, takenOver);
            this.key = key;
        }

        @Override
        protected void renew(byte[] claimJson) throws IOException {
            bucket.save(key, claimJson);
        }

        @Override
        protected void remove() throws IOException {
            bucket.remove(key);
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
