#!/usr/bin/env bash
# Incremental backups of the uploads folder of the reference dataset (bench/generate-dataset.sh
# uploads: 500 files, ~600 MB), against restic (apt-get install restic), each round after 1% of
# the files (5) were rewritten:
#   backup:   backup-manager create --type incremental --components uploads (GNU tar
#             --listed-incremental on the previous backup's snapshot, zstd) against
#             restic backup (its own incremental: a new snapshot on the previous one, deduplicated
#             chunks, always encrypted, compression auto); wall time and bytes added to each repository
#   restore:  backup-manager restore <incremental> --components uploads --target-dir (checksums of
#             the chain, the full then the incremental extracted with tar --incremental, counts,
#             fsync) against restic restore latest --target
# Each round starts from a new full backup on both sides (not timed), so our chain is full + one
# incremental.
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

rounds="${ROUNDS:-3}"
startups=(); our_backups=(); restic_backups=(); our_bytes=(); restic_bytes=(); our_restores=(); restic_restores=()
for round in $(seq 1 "$rounds"); do
  [ "$round" -eq 1 ] || full_backup
  change_one_percent "$round"; sync
  # what any command of ours costs before and after its work (JVM, Camel, catalog): `list --limit 1`
  startups+=("$(seconds sh -c "'$project_dir/backup-manager' --config '$out/bench.properties' list --limit 1 > /dev/null 2>&1")")
  run_ours() {
    ours create --type incremental --components uploads --output json > "$out/incremental.json" 2> "$out/incremental.log"
  }
  run_restic() { restic backup --quiet "$uploads" > /dev/null; }
  restic_before=$(du -sb "$RESTIC_REPOSITORY" | cut -f1)
  if [ $((round % 2)) -eq 1 ]; then
    ours_s=$(seconds run_ours); restic_s=$(seconds run_restic)
  else
    restic_s=$(seconds run_restic); ours_s=$(seconds run_ours)
  fi
  grep -q '"status" : "completed"' "$out/incremental.json" || { echo "bench: our incremental failed"; cat "$out/incremental.log"; exit 1; }
  id=$(backup_id "$out/incremental.json")
  our_added=$(stored "$out/incremental.json")
  restic_added=$(( $(du -sb "$RESTIC_REPOSITORY" | cut -f1) - restic_before ))

  rm -rf "$out/ours-restored" "$out/restic-restored"; sync
  restore_ours() {
    ours restore "$id" --components uploads --target-dir "$out/ours-restored" --yes --output json \
      > "$out/restore.json" 2> "$out/restore.log"
  }
  restore_restic() { restic restore --quiet latest --target "$out/restic-restored" > /dev/null; }
  if [ $((round % 2)) -eq 1 ]; then
    ours_r=$(seconds restore_ours); restic_r=$(seconds restore_restic)
  else
    restic_r=$(seconds restore_restic); ours_r=$(seconds restore_ours)
  fi
  grep -q '"status" : "completed"' "$out/restore.json" || { echo "bench: our restore failed"; cat "$out/restore.log"; exit 1; }
  # both give back the folder as it is now (not timed)
  diff -r "$uploads" "$out/ours-restored/uploads" > /dev/null || { echo "bench: our restore differs"; exit 1; }
  diff -r "$uploads" "$out/restic-restored$uploads" > /dev/null || { echo "bench: restic's restore differs"; exit 1; }
  printf 'bench: round %s: backup ours %.1f s (%s bytes), restic %.1f s (%s bytes); restore ours %.1f s, restic %.1f s\n' \
    "$round" "$ours_s" "$our_added" "$restic_s" "$restic_added" "$ours_r" "$restic_r"
  our_backups+=("$ours_s"); restic_backups+=("$restic_s"); our_bytes+=("$our_added"); restic_bytes+=("$restic_added")
  our_restores+=("$ours_r"); restic_restores+=("$restic_r")
done
rm -rf "$out/ours-restored" "$out/restic-restored"

printf '\n%-58s %12s\n' "uploads, 1% of files changed (median of $rounds rounds)" "value"
printf '%-58s %12s\n' \
  "full backup stored, ours (bytes)" "$full_bytes" \
  "full backup stored, restic repository (bytes)" "$restic_full_bytes" \
  "incremental stored, ours (bytes)" "$(median "${our_bytes[@]}")" \
  "incremental added, restic repository (bytes)" "$(median "${restic_bytes[@]}")" \
  "ratio incremental / full, ours" "$(echo "scale=4; $(median "${our_bytes[@]}") / $full_bytes" | bc)" \
  "ratio incremental / full, restic" "$(echo "scale=4; $(median "${restic_bytes[@]}") / $restic_full_bytes" | bc)"
printf '%-58s %12.1f\n' \
  "incremental backup, ours (s)" "$(median "${our_backups[@]}")" \
  "  of which a command's start and stop, ours (list, s)" "$(median "${startups[@]}")" \
  "incremental backup, restic (s)" "$(median "${restic_backups[@]}")" \
  "restore full + incremental, ours (s)" "$(median "${our_restores[@]}")" \
  "restore latest, restic (s)" "$(median "${restic_restores[@]}")"
printf '%-58s %12s\n' \
  "ratio backup ours / restic" "$(echo "scale=2; $(median "${our_backups[@]}") / $(median "${restic_backups[@]}")" | bc)" \
  "ratio restore ours / restic" "$(echo "scale=2; $(median "${our_restores[@]}") / $(median "${restic_restores[@]}")" | bc)"
