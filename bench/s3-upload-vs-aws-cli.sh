#!/usr/bin/env bash
# Upload speed to S3 on the reference backup (bench/backup-vs-bare-tools.sh makes it), against
# the same local S3 API server (s3proxy, started here from the test classpath):
#   aws s3 cp --recursive of the backup's folder, against backup-manager replicate of it.
# Target: our throughput at least 1.0x the aws CLI's.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
repo="$work/out/repository"
[ -d "$repo/backups" ] || "$bench_dir/backup-vs-bare-tools.sh"
pg_start
(cd "$project_dir" && mvn -q -B -ntp -DskipTests test-compile package)
build_class_archive
classpath="$project_dir/target/test-classes:$project_dir/target/classes:$(cd "$project_dir" && mvn -q -o dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
server_log="$work/s3proxy.log"
java -Xmx512m -cp "$classpath" com.customercaregpt.backup.fixtures.S3ServerMain > "$server_log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 1 100); do [ -s "$server_log" ] && break; sleep 0.2; done
read -r endpoint access secret bucket < <(head -1 "$server_log")
# the reference backup: the biggest one in the bench repository
id=$(du -s "$repo/backups"/backup_* | sort -n | tail -1 | awk '{print $2}' | xargs basename)
bytes=$(du -sb "$repo/backups/$id" | cut -f1)

# s3proxy, like several stores, rejects the flexible checksums newer clients send by default.
export AWS_ACCESS_KEY_ID="$access" AWS_SECRET_ACCESS_KEY="$secret" AWS_DEFAULT_REGION=us-east-1
export AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
start=$(date +%s.%N)
aws --endpoint-url "$endpoint" s3 cp --recursive --only-show-errors "$repo/backups/$id" "s3://$bucket/aws-cli/$id"
aws_seconds=$(echo "$(date +%s.%N) - $start" | bc)

write_properties "$work/s3.properties" "$repo"
cat >> "$work/s3.properties" <<PROPS
backup.s3.enabled=true
backup.s3.endpoint=$endpoint
backup.s3.bucket=$bucket
backup.s3.prefix=ours
backup.s3.access-key=$access
backup.s3.secret-key=$secret
PROPS
start=$(date +%s.%N)
"$project_dir/backup-manager" --config "$work/s3.properties" replicate "$id" > "$work/replicate.txt" 2>&1
ours_seconds=$(echo "$(date +%s.%N) - $start" | bc)
grep -q ": replicated" "$work/replicate.txt" || { echo "bench: replicate failed"; cat "$work/replicate.txt"; exit 1; }

mb=$(echo "scale=1; $bytes / 1048576" | bc)
printf '\n%-44s %8s %10s\n' "upload of $id" "seconds" "MB/s"
printf '%-44s %8.1f %10.1f\n' "aws s3 cp --recursive ($mb MB)" "$aws_seconds" "$(echo "$mb / $aws_seconds" | bc -l)"
printf '%-44s %8.1f %10.1f\n' "backup-manager replicate (JVM start incl.)" "$ours_seconds" "$(echo "$mb / $ours_seconds" | bc -l)"
printf '%-44s %8s\n' "ratio of throughputs ours / aws (target >= 1.0)" "$(echo "scale=2; $aws_seconds / $ours_seconds" | bc)"
