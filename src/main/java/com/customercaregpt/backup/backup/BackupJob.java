package com.customercaregpt.backup.backup;

import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.repository.BackupId;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.Manifest.Artifact;
import com.customercaregpt.backup.repository.Manifest.ComponentRecord;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import com.customercaregpt.backup.pipeline.crypto.DataKey;
import com.customercaregpt.backup.pipeline.crypto.WrappedKey;
import java.util.Objects;

/** One backup while it runs: its id, the components asked for, and what became of each. */
public final class BackupJob {

    private final BackupId id;
    private final String type;
    private final List<String> componentNames;
    private final int retentionDays;
    private final Instant createdAt;
    private final String trigger;
    private final Map<String, ComponentRecord> results = new ConcurrentHashMap<>();
    private final Map<String, ArtifactOutput> writing = new ConcurrentHashMap<>();

    private final DataKey dataKey;
    private final WrappedKey wrappedKey;

    BackupJob(BackupId id, String type, List<String> componentNames, int retentionDays, Instant createdAt,
              String trigger, DataKey dataKey,
              WrappedKey wrappedKey) {
        this.dataKey = dataKey;
        this.wrappedKey = wrappedKey;
        this.id = id;
        this.type = type;
        this.componentNames = List.copyOf(componentNames);
        this.retentionDays = retentionDays;
        this.createdAt = createdAt;
        this.trigger = trigger;
    }

    /** The backup this one builds on (facts readable), null for a full one. */
    private Manifest parent;
    private DataKey parentKey;

    void buildOn(Manifest parent, DataKey parentKey) {
        this.parent = parent;
        this.parentKey = parentKey;
    }

    public Manifest parent() {
        return parent;
    }

    DataKey parentKey() {
        return parentKey;
    }

    /** Abandoned backups this one removed before it began: their catalog rows go too. */
    private List<String> removedAbandoned = List.of();

    void recordRemovedAbandoned(List<BackupId> removed) {
        removedAbandoned = removed.stream().map(BackupId::value).toList();
    }

    public List<String> getRemovedAbandoned() {
        return removedAbandoned;
    }

    public BackupId id() {
        return id;
    }

    public String getId() {
        return id.value();
    }

    public String type() {
        return type;
    }

    /** For the route's split: one exchange per component. */
    public List<String> getComponentNames() {
        return componentNames;
    }

    public int retentionDays() {
        return retentionDays;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** The backup's data key when encryption is on; null otherwise. */
    DataKey dataKey() {
        return dataKey;
    }

    WrappedKey wrappedKey() {
        return wrappedKey;
    }

    public String trigger() {
        return trigger;
    }

    void record(ComponentRecord result) {
        results.put(result.name(), result);
        writing.remove(result.name());
    }

    ComponentRecord result(String component) {
        return results.get(component);
    }

    void writing(String component, ArtifactOutput output) {
        writing.put(component, output);
    }

    /** The results in the order the components were asked for. */
    List<ComponentRecord> results() {
        return componentNames.stream().map(results::get).filter(Objects::nonNull).toList();
    }

    /** "database 1.2 GiB, uploads 300 MiB": raw bytes read so far by components still running. */
    public String progressLine() {
        StringBuilder line = new StringBuilder();
        writing.forEach((component, output) -> line.append(line.isEmpty() ? "" : ", ")
                .append(component).append(' ').append(Sizes.human(output.rawBytes())));
        results.forEach((component, result) -> line.append(line.isEmpty() ? "" : ", ")
                .append(component).append(' ').append(result.status()));
        return line.toString();
    }

    static long storedBytes(ComponentRecord record) {
        return record.artifacts().stream().mapToLong(Artifact::sizeBytes).sum();
    }

    /** Thread-safe list for artifacts a component commits. */
    static List<Artifact> newArtifactList() {
        return new CopyOnWriteArrayList<>();
    }
}
