#!/usr/bin/env bash
# Upload speed to S3 on the reference backup (bench/backup-vs-bare-tools.sh makes it), against
# the same local S3 API server (s3proxy, started here from the test classpath):
#   aws s3 cp --recursive of the backup's folder, against our replication of it, two ways:
#   - the service: `backup-manager serve` replicating on POST /api/v1/backup/{id}/replicate, as
#     it does after every scheduled backup (a JVM that has replicated before), timed from the
#     request to the operation's end as a client polling it sees it;
#   - the command: `backup-manager replicate ID`, a fresh JVM (start-up and compilation included).
# Target: our throughput at least 1.0x the aws CLI's (medians of ROUNDS=3 alternating rounds).
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
bytes=$(find "$repo/backups/$id" -type f -printf '%s\n' | awk '{s += $1} END {print s}')

# s3proxy, like several stores, rejects the flexible checksums newer clients send by default.
export AWS_ACCESS_KEY_ID="$access" AWS_SECRET_ACCESS_KEY="$secret" AWS_DEFAULT_REGION=us-east-1
export AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
write_properties "$work/s3.properties" "$repo"
cat >> "$work/s3.properties" <<PROPS
backup.s3.enabled=true
backup.s3.endpoint=$endpoint
backup.s3.bucket=$bucket
backup.s3.access-key=$access
backup.s3.secret-key=$secret
PROPS
# Every upload must land whole: the objects under the backup's folder add up to its bytes.
require_uploaded() {
  local listed
  listed=$(aws --endpoint-url "$endpoint" s3 ls --recursive --summarize "s3://$bucket/$1/" | awk '/Total Size/ {print $3}')
  [ "$listed" = "$bytes" ] || { echo "bench: s3://$bucket/$1/ holds ${listed:-0} bytes, not $bytes"; exit 1; }
}

echo "bench: starting the service and replicating once to warm it, untimed"
trap 'kill $server ${service:-} 2>/dev/null; wait ${service:-} 2>/dev/null || true' EXIT
BACKUP_S3_PREFIX=service start_service "$work/s3.properties" "${BENCH_API_PORT:-18090}" "$work/s3-serve.log"
service_replicate() { run_operation "/backup/$id/replicate" '{}' replicated; }
service_replicate
require_uploaded "service/backups/$id"

# All sides run ROUNDS times, alternating, each into an empty prefix; the medians are compared.
rounds="${ROUNDS:-3}"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
aws_runs=(); ours_runs=(); service_runs=()
for round in $(seq 1 "$rounds"); do
  # The service's prefix is emptied first (untimed), so that it uploads everything again.
  aws --endpoint-url "$endpoint" s3 rm --recursive --only-show-errors "s3://$bucket/service/"
  sync; sleep 1
  start=$(date +%s.%N)
  service_replicate
  service_runs+=("$(echo "$(date +%s.%N) - $start" | bc)")
  require_uploaded "service/backups/$id"
  sync; sleep 1
  start=$(date +%s.%N)
  aws --endpoint-url "$endpoint" s3 cp --recursive --only-show-errors "$repo/backups/$id" "s3://$bucket/aws-cli-$round/$id"
  aws_runs+=("$(echo "$(date +%s.%N) - $start" | bc)")
  require_uploaded "aws-cli-$round/$id"
  sync; sleep 1
  start=$(date +%s.%N)
  BACKUP_S3_PREFIX="ours-$round" "$project_dir/backup-manager" --config "$work/s3.properties" replicate "$id" > "$work/replicate.txt" 2>&1
  ours_runs+=("$(echo "$(date +%s.%N) - $start" | bc)")
  grep -q ": replicated" "$work/replicate.txt" || { echo "bench: replicate failed"; cat "$work/replicate.txt"; exit 1; }
  require_uploaded "ours-$round/backups/$id"
  printf 'bench: round %s: aws %.1f s, ours: service %.1f s, command %.1f s\n' "$round" "${aws_runs[-1]}" \
    "${service_runs[-1]}" "${ours_runs[-1]}"
done
aws_seconds=$(median "${aws_runs[@]}"); ours_seconds=$(median "${ours_runs[@]}"); service_seconds=$(median "${service_runs[@]}")

mb=$(echo "scale=1; $bytes / 1048576" | bc)
printf '\n%-44s %8s %10s\n' "upload of $id (median of $rounds)" "seconds" "MB/s"
printf '%-44s %8.1f %10.1f\n' "aws s3 cp --recursive ($mb MB)" "$aws_seconds" "$(echo "$mb / $aws_seconds" | bc -l)"
printf '%-44s %8.1f %10.1f\n' "ours: the service (POST .../replicate)" "$service_seconds" "$(echo "$mb / $service_seconds" | bc -l)"
printf '%-44s %8.1f %10.1f\n' "ours: backup-manager replicate (new JVM)" "$ours_seconds" "$(echo "$mb / $ours_seconds" | bc -l)"
printf '%-44s %8s\n' "ratio of throughputs, service / aws (target >= 1.0)" "$(echo "scale=2; $aws_seconds / $service_seconds" | bc)"
printf '%-44s %8s\n' "ratio of throughputs, command / aws" "$(echo "scale=2; $aws_seconds / $ours_seconds" | bc)"
