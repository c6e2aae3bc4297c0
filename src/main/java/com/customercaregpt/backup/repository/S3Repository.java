package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.repository.store.retry.RetryingStore;
import com.customercaregpt.backup.repository.store.s3.S3Settings;
import com.customercaregpt.backup.repository.store.s3.S3Store;

/** A repository in an S3 bucket, {@code s3://<bucket>/<prefix>/backups/<backup_id>/...}, its calls retried. */
public final class S3Repository extends StoreRepository {

    public S3Repository(S3Settings settings) {
        this(settings, RetryingStore.Policy.DEFAULT);
    }

    public S3Repository(S3Settings settings, RetryingStore.Policy retries) {
        super(new RetryingStore(new S3Store(settings), retries));
    }
}
