package com.customercaregpt.backup.pipeline.crypto;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A backup's data key, encrypted by the master key, as it is recorded in the manifest
 * (see docs/encryption.md). Nothing here is secret: the key is only readable with the key file
 * whose {@link KeyFile#keyId()} is {@code keyId}.
 *
 * @param algorithm  {@value Envelope#ALGORITHM}, for both the wrapping and the artifacts
 * @param keyId      the {@link KeyFile#keyId()} of the master key that wrapped it
 * @param nonce      base64 of the 12-byte AES-GCM nonce used to wrap it
 * @param wrappedKey base64 of the 32-byte encrypted data key followed by the 16-byte GCM tag
 */
@JsonPropertyOrder({"algorithm", "key_id", "nonce", "wrapped_key"})
public record WrappedKey(
        @JsonProperty("algorithm") String algorithm,
        @JsonProperty("key_id") String keyId,
        @JsonProperty("nonce") String nonce,
        @JsonProperty("wrapped_key") String wrappedKey) {
}
