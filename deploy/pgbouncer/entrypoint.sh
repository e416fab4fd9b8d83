#!/bin/sh
# Seeds the generated files on an empty volume (an empty database list and the admin user), which
# the control plane replaces at its first start, then runs PgBouncer in the foreground.
set -eu
conf=/etc/pgbouncer/miosa
umask 027
[ -f "$conf/databases.ini" ] || printf '[databases]\n' > "$conf/databases.ini"
if [ ! -f "$conf/users.txt" ]; then
  : "${PGBOUNCER_ADMIN_PASSWORD:?set PGBOUNCER_ADMIN_PASSWORD}"
  printf '"miosa_admin" "%s"\n' "$(printf '%s' "$PGBOUNCER_ADMIN_PASSWORD" | sed 's/"/""/g')" > "$conf/users.txt"
fi
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
