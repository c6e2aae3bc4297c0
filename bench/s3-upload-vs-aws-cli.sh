#!/usr/bin/env bash
# Upload speed to S3 on the reference backup (bench/backup-vs-bare-tools.sh makes it), against
# the same local S3 API server (s3proxy, started here from the test classpath):
#   aws s3 cp --recursive of the backup's folder, against backup-manager replicate of it.
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
bytes=$(du -sb "$repo/backups/$id" | cut -f1)

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
# Both sides run ROUNDS times, alternating, each into a fresh prefix; the medians are compared.
rounds="${ROUNDS:-3}"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
aws_runs=(); ours_runs=()
for round in $(seq 1 "$rounds"); do
  start=$(date +%s.%N)
  aws --endpoint-url "$endpoint" s3 cp --recursive --only-show-errors "$repo/backups/$id" "s3://$bucket/aws-cli-$round/$id"
  aws_runs+=("$(echo "$(date +%s.%N) - $start" | bc)")
  start=$(date +%s.%N)
  BACKUP_S3_PREFIX="ours-$round" "$project_dir/backup-manager" --config "$work/s3.properties" replicate "$id" > "$work/replicate.txt" 2>&1
  ours_runs+=("$(echo "$(date +%s.%N) - $start" | bc)")
  grep -q ": replicated" "$work/replicate.txt" || { echo "bench: replicate failed"; cat "$work/replicate.txt"; exit 1; }
  printf 'bench: round %s: aws %.1f s, ours %.1f s\n' "$round" "${aws_runs[-1]}" "${ours_runs[-1]}"
done
aws_seconds=$(median "${aws_runs[@]}"); ours_seconds=$(median "${ours_runs[@]}")

mb=$(echo "scale=1; $bytes / 1048576" | bc)
printf '\n%-44s %8s %10s\n' "upload of $id (median of $rounds)" "seconds" "MB/s"
printf '%-44s %8.1f %10.1f\n' "aws s3 cp --recursive ($mb MB)" "$aws_seconds" "$(echo "$mb / $aws_seconds" | bc -l)"
printf '%-44s %8.1f %10.1f\n' "backup-manager replicate (JVM start incl.)" "$ours_seconds" "$(echo "$mb / $ours_seconds" | bc -l)"
printf '%-44s %8s\n' "ratio of throughputs ours / aws (target >= 1.0)" "$(echo "scale=2; $aws_seconds / $ours_seconds" | bc)"
