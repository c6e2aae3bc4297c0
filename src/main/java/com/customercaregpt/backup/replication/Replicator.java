package com.customercaregpt.backup.replication;

import com.customercaregpt.backup.backup.BackupJobs;
import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.pipeline.ArtifactReader;
import com.customercaregpt.backup.pipeline.DaemonThreads;
import com.customercaregpt.backup.pipeline.Tasks;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.repository.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Copies finished backups from the local repository (quick recovery) to the remote one (disaster
 * protection): every artifact's stored bytes, checked against the manifest's checksum as they are
 * read, then the manifest last, so a backup only exists remotely once all of it is there. The
 * remote store retries its own calls; a copy that fails anyway is resumed by `replicate` (and the
 * next backup), which skips the artifacts already there.
 */
public final class Replicator {

    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);
    private static final int ARTIFACTS_AT_ONCE = 2;

    private final Repository local;
    private final Supplier<Repository> remote;

    /** {@code remote} is null when S3 is not enabled. */
    public Replicator(Repository local, Supplier<Repository> remote) {
        this.local = local;
        this.remote = remote;
    }

    /** How one backup's replication ended. */
    public record Result(String backupId, String status, int artifacts, String error) {
        public static final String REPLICATED = "replicated";
        public static final String ALREADY = "already-replicated";
        public static final String FAILED = "failed";
    }

    /** There is no S3 to copy to (backup.s3.enabled=false): refused at once, not retried nor alerted. */
    public static final class NotEnabled extends RuntimeException {
        NotEnabled() {
            super("S3 is not enabled (backup.s3.enabled=false): there is nowhere to replicate to");
        }
    }

    /** Refuses replication when S3 is not enabled (a remote of null). */
    public void requireEnabled() {
        if (remote == null) {
            throw new NotEnabled();
        }
    }

    /** One backup, or every finished local backup not yet remote when {@code backupId} is empty. */
    public List<Result> replicate(String backupId) throws IOException {
        requireEnabled();
        List<BackupId> ids = backupId == null || backupId.isBlank() ? local.list() : List.of(new BackupId(backupId));
        List<Result> results = new ArrayList<>();
        for (BackupId id : ids) {
            if (local.readManifest(id).isPresent()) {
                results.add(replicateOne(id));
            }
        }
        return results;
    }

    /** True when there is an S3 to copy to. */
    public boolean enabled() {
        return remote != null;
    }

    /** The finished local backups whose manifest is not in S3 yet (the replication backlog), oldest first. */
    public List<String> backlog() throws IOException {
        requireEnabled();
        Repository target = remote.get();
        Set<BackupId> there = new HashSet<>(target.list());
        List<String> waiting = new ArrayList<>();
        for (BackupId id : local.list()) {
            // a folder there without its manifest is a copy that stopped half-way
            if (local.readManifest(id).isPresent() && (!there.contains(id) || target.readManifest(id).isEmpty())) {
                waiting.add(id.value());
            }
        }
        return waiting;
    }

    /** Fails the caller (and so raises an alert) when any backup failed; returns the results otherwise. */
    public List<Result> failIfAny(List<Result> results) {
        for (Result r : results) {
            if (Result.FAILED.equals(r.status())) {
                throw new StepFailure("replication", r.backupId(), r.error() + "; the backup is complete locally, "
                        + "and `replicate` or the next backup resumes the copy");
            }
        }
        return results;
    }

    /** Store calls are retried by the remote store itself (RetryingStore); what fails here is reported. */
    private Result replicateOne(BackupId id) {
        try {
            return replicateOnce(id);
        } catch (RuntimeException | IOException e) {
            String error = BackupJobs.oneLine("replication", e);
            LOG.warn("Replication of {} failed: {}", id, error);
            return new Result(id.value(), Result.FAILED, 0, error);
        }
    }

    private Result replicateOnce(BackupId id) throws IOException {
        Repository target = remote.get();
        if (target.readManifest(id).isPresent()) {
            return new Result(id.value(), Result.ALREADY, 0, null);
        }
        byte[] manifestJson = local.readManifest(id).orElseThrow();
        Manifest manifest = ManifestCodec.read(id, manifestJson);
        List<ArtifactCopy> copies = new ArrayList<>();
        int alreadyThere = 0;
        for (Manifest.ComponentRecord component : manifest.components()) {
            ArtifactReader reader = new ArtifactReader(local, id, component.name());
            for (Manifest.Artifact artifact : component.artifacts()) {
                // Resuming an interrupted copy: an artifact already there, whole and with the
                // manifest's checksum recorded at its upload, is not sent again.
                Optional<Repository.Stored> there = target.stat(id, artifact.path());
                if (there.isPresent() && there.get().sizeBytes() == artifact.sizeBytes()
                        && artifact.sha256().equals(there.get().sha256())) {
                    alreadyThere++;
                    continue;
                }
                copies.add(() -> copy(reader, target, id, artifact));
            }
        }
        copyAll(copies);
        int copied = copies.size();
        target.writeManifest(id, manifestJson);
        LOG.info("Replicated {} to {}: {} artifacts sent{}, manifest last", id, target.location(), copied,
                alreadyThere == 0 ? "" : ", " + alreadyThere + " already there from an earlier attempt");
        return new Result(id.value(), Result.REPLICATED, copied, null);
    }

    private void copy(ArtifactReader reader, Repository target, BackupId id, Manifest.Artifact artifact) throws IOException {
        Optional<Path> file = local.localFile(id, artifact.path());
        if (file.isPresent() && Files.size(file.get()) == artifact.sizeBytes()) {
            // Parts in parallel straight from the file; stored only if its SHA-256 matches.
            target.putFile(id, artifact.path(), file.get(), artifact.sha256());
            return;
        }
        Repository.ArtifactStream out = target.createArtifact(id, artifact.path(), artifact.sha256());
        try {
            reader.copyStored(artifact, out);
            out.close();
        } catch (RuntimeException | IOException e) {
            out.abort();
            throw e;
        }
    }

    private interface ArtifactCopy {
        void run() throws IOException;
    }

    /**
     * Sends {@value #ARTIFACTS_AT_ONCE} artifacts at a time, so that the store is never idle
     * while it joins one artifact's parts (a multipart upload's last step, seconds for a large
     * file). A failure is thrown once the copies before it ended; the rest are interrupted, and
     * the caller sends no manifest.
     */
    private static void copyAll(List<ArtifactCopy> copies) throws IOException {
        ExecutorService senders = Executors.newFixedThreadPool(ARTIFACTS_AT_ONCE, DaemonThreads.named("replicate-artifact"));
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (ArtifactCopy copy : copies) {
                sent.add(senders.submit(() -> {
                    copy.run();
                    return null;
                }));
            }
            for (Future<?> one : sent) {
                Tasks.await(one, "replicating");
            }
        } finally {
            senders.shutdownNow();
        }
    }

    /** The remote repository, made on first use (so nothing connects to S3 when replication is off). */
    public static Supplier<Repository> lazily(Supplier<Repository> factory) {
        return new Supplier<>() {
            private Repository made;

            @Override
            public synchronized Repository get() {
                if (made == null) {
                    made = factory.get();
                }
                return made;
            }
        };
    }
}
