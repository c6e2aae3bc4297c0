#!/usr/bin/env bash
# Restore speed on the reference dataset (bench/generate-dataset.sh makes it):
#   bare tools:  createdb + pg_restore -d from a pg_dump -Fc file, then tar xzf of the uploads
#   ours:        backup-manager restore ID --components database uploads --yes (a live restore:
#                checksums, restore beside the live data, count checks, swap)
#   service:     the same restore through a running `backup-manager serve`, on
#                POST /api/v1/backup/{id}/restore, timed from the request until a client polling
#                the operation sees it end (the service has restored once before, untimed)
#   recipe:      the fastest plain recipe, as bare tools, for reference (no checksums, no checks):
#                createdb + pg_restore -j<cores> from an uncompressed directory dump, then
#                zstd -dc | tar x, then an fsync of every extracted file and folder (our restore
#                makes the restored files durable before it swaps them in; tar xzf does not)
# Target: our wall time <= 0.7 x the bare tools' (medians of ROUNDS=3 alternating rounds).
source "$(dirname "$(readlink -f "$0")")/lib.sh"
"$bench_dir/generate-dataset.sh"
pg_start
out="$work/restore"; rm -rf "$out"; mkdir -p "$out"
(cd "$project_dir" && mvn -q -B -ntp -DskipTests package)
build_class_archive
write_properties "$work/restore.properties" "$out/repository"
# Each timed step starts from a quiet server. Autovacuum visits a freshly restored database within
# a minute and then rewrites all its pages (hint bits, visibility map), throttled, for tens of
# seconds: inside whichever step runs next, bare or ours. So every database is vacuumed and
# analyzed first (unthrottled, untimed), then the dirty pages are flushed.
settle() { vacuumdb --all --analyze --quiet; psql -qc CHECKPOINT postgres; sync; sleep 2; }

echo "bench: preparing the bare files and our backup (not timed)"
"$pg_bin/pg_dump" -Fc -f "$out/bare.dump" reference
tar czf "$out/bare-uploads.tar.gz" -C "$work/uploads" .
rm -rf "$out/recipe.dir"; "$pg_bin/pg_dump" -Fd -Z0 --jobs="$(nproc)" -f "$out/recipe.dir" reference
tar cf - -C "$work/uploads" . | zstd -q -f -T0 -3 -o "$out/recipe-uploads.tar.zst"
"$project_dir/backup-manager" --config "$work/restore.properties" create --components database uploads --output json \
  > "$out/backup.json" 2> "$out/backup.log"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["backup_id"])' "$out/backup.json")

echo "bench: starting the service and restoring once to warm it, untimed"
trap 'kill ${service:-} 2>/dev/null; wait ${service:-} 2>/dev/null || true' EXIT
start_service "$work/restore.properties" "${BENCH_API_PORT:-18091}" "$out/serve.log"
service_restore() { run_operation "/backup/$id/restore" '{"components":["database","uploads"]}' completed; }
drop_kept() { "$project_dir/backup-manager" --config "$work/restore.properties" cleanup --pre-restore --yes > /dev/null 2>&1; }
service_restore; drop_kept

# Both sides run ROUNDS times, alternating, on a machine whose speed drifts; the medians are compared.
rounds="${ROUNDS:-3}"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
bare_dbs=(); bare_tars=(); bares=(); ourss=(); services=(); recipes=(); recipe_syncs=()
for round in $(seq 1 "$rounds"); do
  dropdb --if-exists bare_restore; rm -rf "$out/bare-uploads"; mkdir -p "$out/bare-uploads"
  settle
  bare_db=$(seconds sh -c "createdb bare_restore && '$pg_bin/pg_restore' -d bare_restore '$out/bare.dump'")
  settle
  bare_tar=$(seconds tar xzf "$out/bare-uploads.tar.gz" -C "$out/bare-uploads")
  bare=$(echo "$bare_db + $bare_tar" | bc)

  settle
  start=$(date +%s.%N)
  "$project_dir/backup-manager" --config "$work/restore.properties" restore "$id" \
    --components database uploads --yes --output json > "$out/ours.json" 2> "$out/ours.log" || true
  ours=$(echo "$(date +%s.%N) - $start" | bc)
  grep -q '"status" : "completed"' "$out/ours.json" || { echo "bench: our restore failed"; cat "$out/ours.log"; exit 1; }
  # Leave the dataset as it was: drop what the restores kept.
  drop_kept

  settle
  served=$(seconds service_restore)
  drop_kept

  dropdb --if-exists recipe_restore; rm -rf "$out/recipe-uploads"; mkdir -p "$out/recipe-uploads"
  settle
  recipe_db=$(seconds sh -c "createdb recipe_restore && '$pg_bin/pg_restore' --jobs=$(nproc) -d recipe_restore '$out/recipe.dir'")
  recipe_tar=$(seconds sh -c "zstd -dc '$out/recipe-uploads.tar.zst' | tar xf - -C '$out/recipe-uploads'")
  recipe_sync=$(seconds sh -c "find '$out/recipe-uploads' \\( -type f -o -type d \\) -print0 | xargs -0 sync --")
  recipe=$(echo "$recipe_db + $recipe_tar" | bc)
  printf 'bench: round %s: bare %.1f s (pg_restore %.1f + tar %.1f), ours %.1f s, service %.1f s, recipe %.1f s (+ fsync %.1f)\n' \
    "$round" "$bare" "$bare_db" "$bare_tar" "$ours" "$served" "$recipe" "$recipe_sync"
  bare_dbs+=("$bare_db"); bare_tars+=("$bare_tar"); bares+=("$bare"); ourss+=("$ours"); services+=("$served")
  recipes+=("$recipe"); recipe_syncs+=("$(echo "$recipe + $recipe_sync" | bc)")
done
dropdb --if-exists bare_restore; rm -rf "$out/bare-uploads"
dropdb --if-exists recipe_restore; rm -rf "$out/recipe-uploads"

bare=$(median "${bares[@]}"); ours=$(median "${ourss[@]}"); served=$(median "${services[@]}")
recipe=$(median "${recipes[@]}"); recipe_synced=$(median "${recipe_syncs[@]}")
ratio=$(echo "scale=2; $ours / $bare" | bc); service_ratio=$(echo "scale=2; $served / $bare" | bc)
printf '\n%-52s %8s\n' "step (median of $rounds rounds)" "seconds"
printf '%-52s %8.1f\n' "bare: createdb + pg_restore -d (from -Fc)" "$(median "${bare_dbs[@]}")" \
  "bare: tar xzf uploads" "$(median "${bare_tars[@]}")" \
  "bare total" "$bare" "ours: restore --components database uploads" "$ours" \
  "ours, through the service (POST .../restore)" "$served" \
  "recipe: pg_restore -j, zstd -dc | tar x (reference)" "$recipe" \
  "recipe, its extracted files fsynced" "$recipe_synced"
printf '%-52s %8s\n' "ratio ours / bare (target <= 0.70)" "$ratio" "ratio service / bare" "$service_ratio" \
  "ratio recipe / bare" "$(echo "scale=2; $recipe / $bare" | bc)" \
  "ratio recipe with fsync / bare" "$(echo "scale=2; $recipe_synced / $bare" | bc)"
