package com.customercaregpt.backup.repository.store.s3;

import com.customercaregpt.backup.config.Settings;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where and how to reach the bucket. The keys are never printed: {@link #toString()} leaves
 * them out, and error messages name only the bucket, the object key and the operation.
 *
 * @param endpoint      empty for AWS, else the S3-compatible endpoint URL
 * @param prefix        optional folder inside the bucket, without leading or trailing '/'
 * @param checksumMode  "when-required" (S3-compatible stores) or "when-supported" (AWS)
 * @param partSizeBytes multipart part size, also the memory held per open artifact
 * @param uploadConcurrency parts of one file sent at once by {@link S3Store#saveFile}
 */
public record S3Settings(String endpoint, String bucket, String prefix, String region, String accessKey,
                         String secretKey, boolean pathStyle, String checksumMode, int partSizeBytes,
                         int uploadConcurrency) {

    private static final int MIB = 1 << 20;

    /** S3 refuses smaller parts (except the last). */
    public static final int MIN_PART_SIZE = 5 * MIB;
    /** S3 allows 5 GiB, but a part is held in memory per open artifact: keep that sane. */
    public static final int MAX_PART_SIZE = 1024 * MIB;
    public static final String WHEN_REQUIRED = "when-required";
    public static final String WHEN_SUPPORTED = "when-supported";

    public S3Settings {
        endpoint = endpoint == null ? "" : endpoint.trim();
        bucket = bucket == null ? "" : bucket.trim();
        prefix = prefix == null ? "" : stripSlashes(prefix.trim());
        region = region == null || region.isBlank() ? "us-east-1" : region.trim();
        accessKey = accessKey == null ? "" : accessKey.trim();
        secretKey = secretKey == null ? "" : secretKey.trim();
        checksumMode = checksumMode == null || checksumMode.isBlank()
                ? (endpoint.isEmpty() ? WHEN_SUPPORTED : WHEN_REQUIRED)
                : checksumMode.trim().toLowerCase(Locale.ROOT);
        if (bucket.isEmpty()) {
            throw new Settings.SettingsException("backup.s3.bucket is required for an S3 repository");
        }
        if (Arrays.asList(prefix.split("/")).contains("..") || prefix.contains("//")) {
            throw new Settings.SettingsException("backup.s3.prefix must be a plain folder path, got '" + prefix + "'");
        }
        if (!checksumMode.equals(WHEN_REQUIRED) && !checksumMode.equals(WHEN_SUPPORTED)) {
            throw new Settings.SettingsException("backup.s3.checksum-mode must be " + WHEN_REQUIRED + " or "
                    + WHEN_SUPPORTED + ", got '" + checksumMode + "'");
        }
        if (partSizeBytes < MIN_PART_SIZE || partSizeBytes > MAX_PART_SIZE) {
            throw new Settings.SettingsException("the S3 part size (backup.s3.part-size-mb) must be between "
                    + MIN_PART_SIZE / MIB + " and " + MAX_PART_SIZE / MIB + " MiB, got "
                    + String.format(Locale.ROOT, "%.1f MiB", partSizeBytes / (double) MIB));
        }
        if (uploadConcurrency < 1 || uploadConcurrency > 64) {
            throw new Settings.SettingsException("backup.s3.upload-concurrency must be between 1 and 64, got "
                    + uploadConcurrency);
        }
        if (accessKey.isEmpty() != secretKey.isEmpty()) {
            throw new Settings.SettingsException("set both backup.s3.access-key and backup.s3.secret-key, or neither"
                    + " (to use the AWS default credentials)");
        }
    }

    /** Reads backup.s3.* (endpoint, bucket, prefix, region, access-key, secret-key, path-style,
     *  checksum-mode, part-size-mb, upload-concurrency). */
    public static S3Settings from(Settings settings) {
        String endpoint = settings.get("backup.s3.endpoint", "");
        String pathStyle = settings.get("backup.s3.path-style", "true").toLowerCase(Locale.ROOT);
        if (!pathStyle.equals("true") && !pathStyle.equals("false")) {
            throw new Settings.SettingsException("backup.s3.path-style must be true or false, got '" + pathStyle + "'");
        }
        long partSizeBytes = (long) settings.getInt("backup.s3.part-size-mb", 8) * MIB;
        return new S3Settings(endpoint,
                settings.get("backup.s3.bucket", ""),
                settings.get("backup.s3.prefix", ""),
                settings.get("backup.s3.region", ""),
                settings.get("backup.s3.access-key", ""),
                settings.get("backup.s3.secret-key", ""),
                Boolean.parseBoolean(pathStyle),
                settings.get("backup.s3.checksum-mode", ""),
                (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, partSizeBytes)), // saturated: the record refuses it
                settings.getInt("backup.s3.upload-concurrency", 4));
    }

    boolean checksumsOnlyWhenRequired() {
        return checksumMode.equals(WHEN_REQUIRED);
    }

    private static String stripSlashes(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && value.charAt(start) == '/') {
            start++;
        }
        while (end > start && value.charAt(end - 1) == '/') {
            end--;
        }
        return value.substring(start, end);
    }

    /** Everything but the credentials (the project never prints keys). */
    @Override
    public String toString() {
        return "S3Settings[endpoint=" + (endpoint.isEmpty() ? "(AWS)" : endpoint) + ", bucket=" + bucket
                + ", prefix=" + prefix + ", region=" + region + ", credentials="
                + (accessKey.isEmpty() ? "(AWS default chain)" : "(static, hidden)") + ", pathStyle=" + pathStyle
                + ", checksumMode=" + checksumMode + ", partSizeBytes=" + partSizeBytes + "]";
    }
}
