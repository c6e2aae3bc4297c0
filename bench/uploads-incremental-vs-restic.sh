#!/usr/bin/env bash
# Incremental backups of the uploads folder of the reference dataset (bench/generate-dataset.sh
# uploads: 500 files, ~600 MB), against restic (apt-get install restic), each round after 1% of
# the files (5) were rewritten:
#   backup:   backup-manager create --type incremental --components uploads (GNU tar
#             --listed-incremental on the previous backup's snapshot, zstd), as a command and
#             through a warm `serve` (POST /api/v1/backup/create, then the operation polled), against
#             restic backup (its own incremental: a new snapshot on the previous one, deduplicated
#             chunks, always encrypted, compression auto); wall time and bytes added to each repository
#   restore:  backup-manager restore <incremental> --components uploads --target-dir (checksums of
#             the chain, the full then the incremental extracted with tar --incremental, counts,
#             fsync), as a command and through the service, against restic restore latest --target
#   floors:   the same work by the bare tools: tar --listed-incremental on a copy of the full's
#             snapshot | zstd into a file, synced; zstd -d | tar --extract --incremental of the same
#             two archives, then sync --file-system
# Each incremental builds on a new full backup (not timed), so our chain is full + one incremental.
# Both sides run ROUNDS times (default 3), alternating which goes first; medians are compared.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
command -v restic > /dev/null || { echo "bench: restic is missing: apt-get install restic" >&2; exit 1; }
"$bench_dir/generate-dataset.sh" uploads
pg_start # the catalog
out="$work/incremental"; rm -rf "$out"; mkdir -p "$out"
uploads="$work/uploads-incremental"
rm -rf "$uploads"; cp -a "$work/uploads" "$uploads"; rm -f "$uploads/.complete"
(cd "$project_dir" && mvn -q -B -ntp -DskipTests package)
build_class_archive
write_properties "$out/bench.properties" "$out/repository"
sed -i "s|^backup.uploads.path=.*|backup.uploads.path=$uploads|" "$out/bench.properties"
export RESTIC_REPOSITORY="$out/restic" RESTIC_PASSWORD_FILE="$out/restic-password"
head -c 24 /dev/urandom | base64 > "$RESTIC_PASSWORD_FILE"; chmod 600 "$RESTIC_PASSWORD_FILE"
restic init --quiet > /dev/null
trap 'kill ${service:-} 2>/dev/null; wait ${service:-} 2>/dev/null || true' EXIT
ours() { "$project_dir/backup-manager" --config "$out/bench.properties" "$@"; }
stored() { python3 -c 'import json,sys; print(sum(a["size_bytes"] for c in json.load(open(sys.argv[1]))["components"] for a in c["artifacts"]))' "$1"; }
backup_id() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["backup_id"])' "$1"; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# Each round: a full backup on both sides (not timed: the chain restored is full + one incremental),
# 1% of the files changed, then the timed incrementals and restores.
full_backup() {
  ours create --type full --components uploads --output json > "$out/full.json" 2> "$out/full.log"
  restic backup --quiet "$uploads" > /dev/null
}
echo "bench: the first full backups (restic's first snapshot holds everything, as ours)"
full_backup
full_bytes=$(stored "$out/full.json")
restic_full_bytes=$(du -sb "$RESTIC_REPOSITORY" | cut -f1)

echo "bench: starting the service and restoring once to warm it, untimed"
start_service "$out/bench.properties" "${BENCH_API_PORT:-18092}" "$out/serve.log"
service_restore() {
  run_operation "/backup/$1/restore" "{\"components\":[\"uploads\"],\"target_dir\":\"$2\"}" completed
}
service_restore "$(backup_id "$out/full.json")" "$out/service-restored"; rm -rf "$out/service-restored"

# 1% of the files, rewritten with new bytes of the same size (the round number picks which).
change_one_percent() {
  python3 - "$uploads" "$1" <<'PY'
import os, sys
root, round_ = sys.argv[1], int(sys.argv[2])
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)
for path in files[round_ * 7 % 100::100][:max(1, len(files) // 100)]:
    size = os.path.getsize(path)
    with open(path, "wb") as out:
        out.write(os.urandom(size))
PY
}

# Times $1 and $2 (functions), in this order in odd rounds and the other way round in even ones;
# sets first_s and second_s to their seconds.
alternate() {
  if [ $((round % 2)) -eq 1 ]; then
    first_s=$(seconds "$1"); second_s=$(seconds "$2")
  else
    second_s=$(seconds "$2"); first_s=$(seconds "$1")
  fi
}
run_restic() { restic backup --quiet "$uploads" > /dev/null; }
artifact() { echo "$out/repository/backups/$1/uploads/uploads.$2.zst"; }

rounds="${ROUNDS:-3}"
startups=(); our_backups=(); service_backups=(); restic_backups=(); bare_backups=(); our_bytes=(); restic_bytes=()
our_restores=(); service_restores=(); restic_restores=(); bare_restores=()
for round in $(seq 1 "$rounds"); do
  [ "$round" -eq 1 ] || full_backup
  full_id=$(backup_id "$out/full.json")
  change_one_percent "$round"; sync
  # what any command of ours costs before and after its work (JVM, Camel, catalog): `list --limit 1`
  startups+=("$(seconds sh -c "'$project_dir/backup-manager' --config '$out/bench.properties' list --limit 1 > /dev/null 2>&1")")
  run_ours() {
    ours create --type incremental --components uploads --output json > "$out/incremental.json" 2> "$out/incremental.log"
  }
  restic_before=$(du -sb "$RESTIC_REPOSITORY" | cut -f1)
  alternate run_ours run_restic; ours_s=$first_s; restic_s=$second_s
  grep -q '"status" : "completed"' "$out/incremental.json" || { echo "bench: our incremental failed"; cat "$out/incremental.log"; exit 1; }
  id=$(backup_id "$out/incremental.json")
  our_added=$(stored "$out/incremental.json")
  restic_added=$(( $(du -sb "$RESTIC_REPOSITORY" | cut -f1) - restic_before ))
  # the floor: the same incremental by tar and zstd alone, flushed as our artifacts are
  zstd -dcq "$(artifact "$full_id" snar)" > "$out/bare.snar"
  bare_backup() {
    tar --create --file=- --listed-incremental="$out/bare.snar" --format=posix --directory="$uploads" . \
      | zstd -q -3 -T0 -f -o "$out/bare-incremental.tar.zst" && sync "$out/bare-incremental.tar.zst"
  }
  bare_b=$(seconds bare_backup)

  restored=("$out/ours-restored" "$out/service-restored" "$out/restic-restored" "$out/bare-restored")
  rm -rf "${restored[@]}"; sync
  restore_ours() {
    ours restore "$id" --components uploads --target-dir "$out/ours-restored" --yes --output json \
      > "$out/restore.json" 2> "$out/restore.log"
  }
  restore_service() { service_restore "$id" "$out/service-restored"; }
  restore_restic() { restic restore --quiet latest --target "$out/restic-restored" > /dev/null; }
  bare_restore() {
    mkdir "$out/bare-restored"
    for link in "$full_id" "$id"; do
      zstd -dcq "$(artifact "$link" tar)" | tar --extract --incremental --preserve-permissions --numeric-owner \
        --file=- --directory="$out/bare-restored" || return
    done
    sync --file-system "$out/bare-restored"
  }
  alternate restore_ours restore_restic; ours_r=$first_s; restic_r=$second_s
  alternate restore_service bare_restore; service_r=$first_s; bare_r=$second_s
  grep -q '"status" : "completed"' "$out/restore.json" || { echo "bench: our restore failed"; cat "$out/restore.log"; exit 1; }
  # all give back the folder as it is now (not timed)
  for copy in "$out/ours-restored/uploads" "$out/service-restored/uploads" "$out/restic-restored$uploads" "$out/bare-restored"; do
    diff -r "$uploads" "$copy" > /dev/null || { echo "bench: the restore into $copy differs"; exit 1; }
  done
  rm -rf "${restored[@]}"

  # The service's incremental, on a new full made by the service (not timed; it also warms its backup path).
  run_operation /backup/create '{"type":"full","components":["uploads"]}' completed
  run_restic
  change_one_percent $((round + 50)); sync
  service_backup() { run_operation /backup/create '{"type":"incremental","components":["uploads"]}' completed; }
  alternate service_backup run_restic; service_s=$first_s; restic_s2=$second_s

  printf 'bench: round %s: backup ours %.1f s (%s bytes), service %.1f s, restic %.1f s and %.1f s (%s bytes), bare %.1f s; restore ours %.1f s, service %.1f s, restic %.1f s, bare %.1f s\n' \
    "$round" "$ours_s" "$our_added" "$service_s" "$restic_s" "$restic_s2" "$restic_added" "$bare_b" \
    "$ours_r" "$service_r" "$restic_r" "$bare_r"
  our_backups+=("$ours_s"); service_backups+=("$service_s"); restic_backups+=("$restic_s" "$restic_s2")
  bare_backups+=("$bare_b"); our_bytes+=("$our_added"); restic_bytes+=("$restic_added")
  our_restores+=("$ours_r"); service_restores+=("$service_r"); restic_restores+=("$restic_r"); bare_restores+=("$bare_r")
done

printf '\n%-58s %12s\n' "uploads, 1% of files changed (median of $rounds rounds)" "value"
printf '%-58s %12s\n' \
  "full backup stored, ours (bytes)" "$full_bytes" \
  "full backup stored, restic repository (bytes)" "$restic_full_bytes" \
  "incremental stored, ours (bytes)" "$(median "${our_bytes[@]}")" \
  "incremental added, restic repository (bytes)" "$(median "${restic_bytes[@]}")" \
  "ratio incremental / full, ours" "$(echo "scale=4; $(median "${our_bytes[@]}") / $full_bytes" | bc)" \
  "ratio incremental / full, restic" "$(echo "scale=4; $(median "${restic_bytes[@]}") / $restic_full_bytes" | bc)"
printf '%-58s %12.1f\n' \
  "incremental backup, ours: command (s)" "$(median "${our_backups[@]}")" \
  "  of which a command's start and stop, ours (list, s)" "$(median "${startups[@]}")" \
  "incremental backup, ours: through the service (s)" "$(median "${service_backups[@]}")" \
  "incremental backup, restic (s)" "$(median "${restic_backups[@]}")" \
  "incremental backup, bare tar | zstd + sync (s)" "$(median "${bare_backups[@]}")" \
  "restore full + incremental, ours: command (s)" "$(median "${our_restores[@]}")" \
  "restore full + incremental, ours: through the service (s)" "$(median "${service_restores[@]}")" \
  "restore latest, restic (s)" "$(median "${restic_restores[@]}")" \
  "restore, bare zstd -d | tar -x twice + sync -f (s)" "$(median "${bare_restores[@]}")"
# median of $2... over $1
ratio() { local anchor=$1; shift; echo "scale=2; $(median "$@") / $anchor" | bc; }
restic_backup=$(median "${restic_backups[@]}"); restic_restore=$(median "${restic_restores[@]}")
printf '%-58s %12s\n' \
  "ratio backup ours / restic: command" "$(ratio "$restic_backup" "${our_backups[@]}")" \
  "ratio backup ours / restic: service" "$(ratio "$restic_backup" "${service_backups[@]}")" \
  "ratio restore ours / restic: command" "$(ratio "$restic_restore" "${our_restores[@]}")" \
  "ratio restore ours / restic: service" "$(ratio "$restic_restore" "${service_restores[@]}")"
