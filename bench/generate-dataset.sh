#!/usr/bin/env bash
# The reference dataset of the benchmarks, in bench/work (idempotent: kept once made):
# - PostgreSQL database "reference" (~1.3 GB): pgbench scale 50 plus 1.5 M rows of md5 text and jsonb;
# - uploads/ (~600 MB): 400 MB of text-like documents and 200 MB of random (incompressible) bytes.
# `generate-dataset.sh uploads` makes the uploads only.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
pg_start
if [ "${1:-all}" != uploads ] && ! psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'reference'" postgres | grep -q 1; then
  echo "generate: database reference (pgbench scale 50 + 1.5 M rows of text and jsonb)"
  createdb reference
  pgbench -q -i -s 50 reference >/dev/null 2>&1
  psql -q reference <<'SQL'
CREATE TABLE documents (id bigserial PRIMARY KEY, title text, body text, attributes jsonb);
INSERT INTO documents (title, body, attributes)
SELECT md5(i::text), md5(i::text) || md5((i * 7)::text) || md5((i * 13)::text),
       jsonb_build_object('customer', i % 5000, 'tags', jsonb_build_array(md5((i % 97)::text), i % 11),
                          'score', (i * 31 % 1000) / 10.0, 'hash', md5((i * 3)::text))
FROM generate_series(1, 1500000) AS i;
VACUUM ANALYZE;
SQL
fi
[ "${1:-all}" = uploads ] || psql -tAc "SELECT 'generate: database reference is ' || pg_size_pretty(pg_database_size('reference'))" postgres

uploads="$work/uploads"
if [ ! -f "$uploads/.complete" ]; then
  echo "generate: uploads (400 MB of documents, 200 MB random)"
  rm -rf "$uploads"; mkdir -p "$uploads/documents" "$uploads/media"
  python3 - "$uploads/documents" <<'PY'
import random, sys, os
random.seed(42)
words = [''.join(random.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(random.randint(2, 10))) for _ in range(20000)]
for f in range(400):
    lines, size = [], 0
    while size < 1024 * 1024:
        line = f"{f:04d}-{size:08d} " + ' '.join(random.choices(words, k=14)) + f" total={random.randint(0, 99999)}\n"
        lines.append(line); size += len(line)
    with open(os.path.join(sys.argv[1], f"report {f:03d}.txt"), "w") as out:
        out.write(''.join(lines))
PY
  for i in $(seq 1 100); do head -c 2097152 /dev/urandom > "$uploads/media/blob-$i.bin"; done
  touch "$uploads/.complete"
fi
echo "generate: uploads are $(du -sh "$uploads" | cut -f1)"
