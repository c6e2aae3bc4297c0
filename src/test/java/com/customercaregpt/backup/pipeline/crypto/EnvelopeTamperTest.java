package com.customercaregpt.backup.pipeline.crypto;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.bytes;
import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.chunkOffset;
import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.decrypt;
import static com.customercaregpt.backup.pipeline.crypto.EnvelopeFixtures.encrypt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way of altering an artifact is detected, and the error says where. */
class EnvelopeTamperTest {

    private static final int CHUNK = 64;
    private static final int FRAME = Envelope.LENGTH_BYTES + CHUNK + Envelope.TAG_BYTES;
    private final DataKey key = DataKey.generate();
    private final byte[] plain = bytes(5 * CHUNK + 17, 99); // chunks 0..4 full, chunk 5 is 17 bytes and last
    private final byte[] stored;

    EnvelopeTamperTest() throws IOException {
        stored = encrypt(key, plain, CHUNK);
    }

    @Test
    void flippedByteInChunkTwoNamesChunkTwoAndItsOffset() {
        byte[] altered = stored.clone();
        altered[chunkOffset(2, CHUNK) + Envelope.LENGTH_BYTES + 10] ^= 0x01;

        TamperedArtifactException e = assertThrows(TamperedArtifactException.class, () -> decrypt(key, altered));
        assertEquals("chunk 2 at byte offset " + chunkOffset(2, CHUNK)
                + " failed authentication: the artifact was altered or truncated", e.getMessage());
        assertEquals(2, e.chunkIndex());
        assertEquals(chunkOffset(2, CHUNK), e.byteOffset());
    }

    @Test
    void chunksBeforeTheAlteredOneAreDeliveredAndNothingAfter() throws IOException {
        byte[] altered = stored.clone();
        altered[chunkOffset(2, CHUNK) + Envelope.LENGTH_BYTES + Envelope.TAG_BYTES + CHUNK - 1] ^= 0x40; // in the tag
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (InputStream in = new DecryptingInputStream(new ByteArrayInputStream(altered), key)) {
            byte[] buffer = new byte[7];
            IOException e = assertThrows(IOException.class, () -> {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    got.write(buffer, 0, n);
                }
            });
            assertTrue(e.getMessage().startsWith("chunk 2 "), e.getMessage());
            // Later reads repeat the failure instead of skipping past it.
            assertEquals(e, assertThrows(IOException.class, () -> in.read(buffer)));
        }
        assertArrayEquals(Arrays.copyOf(plain, 2 * CHUNK), got.toByteArray());
    }

    @Test
    void truncationAfterAFullChunkIsReportedAsTruncation() {
        byte[] truncated = Arrays.copyOf(stored, chunkOffset(3, CHUNK)); // chunks 0..2, all sealed "not last"

        TamperedArtifactException e = assertThrows(TamperedArtifactException.class, () -> decrypt(key, truncated));
        assertEquals("the artifact was truncated: it ends after chunk 2 (byte offset " + chunkOffset(2, CHUNK)
                + "), which is not the final chunk", e.getMessage());
        assertEquals(2, e.chunkIndex());
    }

    @Test
    void truncationInsideAChunkIsReportedAsTruncation() {
        byte[] truncated = Arrays.copyOf(stored, chunkOffset(4, CHUNK) + 30);
        TamperedArtifactException e = assertThrows(TamperedArtifactException.class, () -> decrypt(key, truncated));
        assertEquals("chunk 4 at byte offset " + chunkOffset(4, CHUNK) + " is cut short (26 of " + (CHUNK + 16)
                + " bytes): the artifact was truncated", e.getMessage());
    }

    @Test
    void truncationInsideALengthFieldIsReportedAsTruncation() {
        byte[] truncated = Arrays.copyOf(stored, chunkOffset(3, CHUNK) + 2);
        TamperedArtifactException e = assertThrows(TamperedArtifactException.class, () -> decrypt(key, truncated));
        assertEquals("the artifact was truncated inside the length field of chunk 3 at byte offset "
                + chunkOffset(3, CHUNK), e.getMessage());
    }

    @Test
    void truncationRightAfterTheHeaderIsReported() {
        byte[] truncated = Arrays.copyOf(stored, Envelope.HEADER_BYTES);
        IOException e = assertThrows(TamperedArtifactException.class, () -> decrypt(key, truncated));
        assertTrue(e.getMessage().startsWith("the artifact was truncated: it ends after its header"), e.getMessage());
    }

    @Test
    void swappedChunksAreDetectedAtTheFirstOutOfPlace() {
        byte[] swapped = stored.clone();
        System.arraycopy(stored, chunkOffset(1, CHUNK), swapped, chunkOffset(2, CHUNK), FRAME);
        System.arraycopy(stored, chunkOffset(2, CHUNK), swapped, chunkOffset(1, CHUNK), FRAME);

        TamperedArtifactException e = assertThrows(TamperedArtifactException.class, () -> decrypt(key, swapped));
        assertEquals(1, e.chunkIndex());
        assertTrue(e.getMessage().contains("failed authentication"), e.getMessage());
    }

    @Test
    void aRemovedChunkIsDetected() {
        byte[] removed = new byte[stored.length - FRAME];
        System.arraycopy(stored, 0, removed, 0, chunkOffset(2, CHUNK));
        System.arraycopy(stored, chunkOffset(3, CHUNK), removed, chunkOffset(2, CHUNK), stored.length - chunkOffset(3, CHUNK));

        TamperedArtifactException e = assertThrows(TamperedArtifactException.class, () -> decrypt(key, removed));
        assertEquals(2, e.chunkIndex());
    }

    @Test
    void trailingDataAfterTheFinalChunkIsDetected() {
        for (int extra : new int[] {1, 3, 4, 100}) {
            byte[] longer = Arrays.copyOf(stored, stored.length + extra);
            TamperedArtifactException e = assertThrows(TamperedArtifactException.class, () -> decrypt(key, longer));
            assertEquals("unexpected data after the final chunk 5, at byte offset " + stored.length
                    + ": the artifact was altered", e.getMessage(), extra + " extra bytes");
        }
    }

    @Test
    void aFinalChunkFromAnotherArtifactCannotBeSpliced() throws IOException {
        // Same data key (same backup), different artifact: its chunks carry another header in their AAD.
        byte[] other = encrypt(key, plain, CHUNK);
        byte[] spliced = stored.clone();
        System.arraycopy(other, chunkOffset(5, CHUNK), spliced, chunkOffset(5, CHUNK), stored.length - chunkOffset(5, CHUNK));
        TamperedArtifactException e = assertThrows(TamperedArtifactException.class, () -> decrypt(key, spliced));
        assertEquals(5, e.chunkIndex());
    }

    @Test
    void alteredHeaderFieldsAreDetected() {
        byte[] prefix = stored.clone();
        prefix[15] ^= 1; // nonce prefix: authenticated with every chunk
        assertEquals(0, assertThrows(TamperedArtifactException.class, () -> decrypt(key, prefix)).chunkIndex());

        byte[] size = stored.clone();
        size[12] = 65; // a plausible but different chunk size
        assertThrows(TamperedArtifactException.class, () -> decrypt(key, size));

        byte[] huge = stored.clone();
        huge[9] = 0x7f; // would make the reader allocate 2 GiB if it trusted the header
        TamperedArtifactException e = assertThrows(TamperedArtifactException.class, () -> decrypt(key, huge));
        assertTrue(e.getMessage().contains("impossible chunk size"), e.getMessage());

        byte[] length = stored.clone();
        length[chunkOffset(1, CHUNK)] = 0x10; // chunk 1's length field
        e = assertThrows(TamperedArtifactException.class, () -> decrypt(key, length));
        assertEquals(1, e.chunkIndex());
    }

    @Test
    void anotherBackupsDataKeyIsAWrongKeyBeforeAnyChunk() {
        WrongKeyException e = assertThrows(WrongKeyException.class, () -> decrypt(DataKey.generate(), stored));
        assertTrue(e.getMessage().startsWith("the artifact was encrypted with another data key"), e.getMessage());
    }

    @Test
    void plainFilesAndOtherVersionsAreRefusedClearly() {
        IOException e = assertThrows(IOException.class, () -> decrypt(key, "PGDMP custom archive".getBytes()));
        assertEquals("not an encrypted artifact: it does not start with \"CCGPTENC\"", e.getMessage());
        assertThrows(IOException.class, () -> decrypt(key, new byte[0]));

        byte[] v2 = stored.clone();
        v2[8] = 2;
        e = assertThrows(IOException.class, () -> decrypt(key, v2));
        assertEquals("encrypted artifact version 2 is not supported (this tool reads version 1)", e.getMessage());

        e = assertThrows(TamperedArtifactException.class, () -> decrypt(key, Arrays.copyOf(stored, 20)));
        assertTrue(e.getMessage().contains("truncated inside its 29-byte header"), e.getMessage());
    }
}
